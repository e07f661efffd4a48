// Driver edits go through the offline queue (src/lib/offline): stored on the device, shown at
// once, sent with an Idempotency-Key when the network allows (by the open tab, or by the
// service worker with the app closed), the record's version guarding each edit.
import type { QueryClient } from "@tanstack/react-query";

import type { Schemas } from "@/lib/api";
import type { QueuedMutationDefinition } from "@/lib/offline";

type Driver = Schemas["Driver"];

export const driversKey = ["drivers"] as const;
export const driverDetailKey = (driverId: string) => [...driversKey, "detail", driverId] as const;
const listKey = [...driversKey, "list"] as const;

/** The fields an edit sets (only those that changed). */
export type DriverChanges = Omit<Schemas["DriverUpdate"], "version">;

export interface DriverEdit {
  driverId: string;
  /** The version the edit was made on. */
  version: number;
  changes: DriverChanges;
  /** For the change's label. */
  name: string;
}

interface DriverUndo {
  before: Partial<Driver>;
}

function patchDriver(client: QueryClient, driverId: string, fields: Partial<Driver>): void {
  client.setQueryData<Driver>(driverDetailKey(driverId), (driver) => (driver ? { ...driver, ...fields } : driver));
}

const entity = (driverId: string) => ({ type: "driver", id: driverId, read: `/api/v1/drivers/${driverId}` });

export const updateDriverMutation: QueuedMutationDefinition<DriverEdit, DriverUndo> = {
  kind: "drivers.update",
  request: ({ driverId, version, changes }) => ({
    method: "PATCH",
    path: `/api/v1/drivers/${driverId}`,
    body: { ...changes, version },
  }),
  label: ({ name }) => `Edit driver ${name}`,
  entity: ({ driverId }) => entity(driverId),
  invalidates: () => [[...driversKey]],
  onQueue: (client, { driverId, changes }) => {
    const current = client.getQueryData<Driver>(driverDetailKey(driverId));
    const before = Object.fromEntries(
      Object.keys(changes).map((field) => [field, current?.[field as keyof Driver] ?? null]),
    ) as Partial<Driver>;
    patchDriver(client, driverId, changes as Partial<Driver>);
    return { before };
  },
  onDiscard: (client, { driverId }, undo) => {
    if (undo) patchDriver(client, driverId, undo.before);
  },
  // The saved record (its new version) at once, so the next edit starts from it.
  onSynced: (client, { driverId }, saved) => patchDriver(client, driverId, saved as Driver),
};

export type DriverCreate = Schemas["DriverCreate"];

/** A new driver: its id comes with the server's answer (the change's `response`). */
export const createDriverMutation: QueuedMutationDefinition<DriverCreate> = {
  kind: "drivers.create",
  request: (body) => ({ method: "POST", path: "/api/v1/drivers", body }),
  label: ({ name }) => `Add driver ${name}`,
  invalidates: () => [[...listKey]],
  onSynced: (client, _vars, saved) => {
    const driver = saved as Driver | null;
    if (driver?.id) client.setQueryData(driverDetailKey(driver.id), driver);
  },
};

export interface DriverRemoval {
  driverId: string;
  version: number;
  name: string;
}

export const deleteDriverMutation: QueuedMutationDefinition<DriverRemoval> = {
  kind: "drivers.delete",
  request: ({ driverId, version }) => ({ method: "DELETE", path: `/api/v1/drivers/${driverId}`, ifMatch: version }),
  label: ({ name }) => `Delete driver ${name}`,
  entity: ({ driverId }) => entity(driverId),
  invalidates: () => [[...listKey]],
  onSynced: (client, { driverId }) => client.removeQueries({ queryKey: driverDetailKey(driverId) }),
};

export const driverMutations = [updateDriverMutation, createDriverMutation, deleteDriverMutation];
