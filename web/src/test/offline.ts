import type { QueuedChange } from "@/lib/offline";

/** A change waiting in the offline queue (a vehicle edit, never tried yet), changed by `fields`. */
export function queuedChange(fields: Partial<QueuedChange> = {}): QueuedChange {
  return {
    id: "c1",
    seq: 1,
    scope: "u:t",
    kind: "test",
    label: "Test",
    vars: {},
    request: { method: "PATCH", path: "/api/v1/vehicles/v1", body: { version: 1 } },
    idempotencyKey: "key-1",
    invalidates: [],
    status: "pending",
    attempts: 0,
    nextAttemptAt: 0,
    maybeSent: false,
    createdAt: 0,
    updatedAt: 0,
    ...fields,
  };
}
