import "fake-indexeddb/auto";

import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/lib/api/errors";

import { openOfflineDb } from "./db";
import { MutationQueue } from "./queue";
import type { SendOutcome } from "./send";
import { idbChangeStore, type ChangeStore } from "./store";
import type { QueuedChange, QueuedMutationDefinition } from "./types";

interface Vehicle {
  id: string;
  version: number;
  name: string;
}

/** A server that keeps idempotency keys and versions, as Fleetyard's does. */
class FakeServer {
  vehicles = new Map<string, Vehicle>();
  keys = new Map<string, { status: number; data: unknown; fingerprint: string }>();
  updates = 0;
  unreachable = false;
  /** Apply the next request, then lose its answer (the connection drops). */
  loseNextAnswer = false;
  sent: QueuedChange[] = [];

  constructor(...vehicles: Vehicle[]) {
    for (const vehicle of vehicles) this.vehicles.set(vehicle.id, { ...vehicle });
  }

  send = async (change: QueuedChange): Promise<SendOutcome> => {
    this.sent.push(structuredClone(change));
    const unreachable = (): SendOutcome => ({
      type: "unreachable",
      error: new ApiError(0, { code: "network_error", message: "offline", details: {} }),
    });
    if (this.unreachable) return unreachable();
    const fingerprint = JSON.stringify(change.request);
    const stored = this.keys.get(change.idempotencyKey);
    if (stored) {
      if (stored.fingerprint !== fingerprint) return this.refuse(422, "idempotency_key_reused");
      return { type: "ok", status: stored.status, data: stored.data, replayed: true };
    }
    const id = change.request.path.split("/").at(-1)!;
    const vehicle = this.vehicles.get(id);
    if (!vehicle) return this.refuse(404, "not_found");
    const body = change.request.body as Partial<Vehicle>;
    if (body.version !== undefined && body.version !== vehicle.version) {
      return this.refuse(409, "version_conflict", { expected: body.version, current: vehicle.version });
    }
    if (body.name === "") return this.refuse(422, "validation_failed");
    Object.assign(vehicle, { name: body.name ?? vehicle.name, version: vehicle.version + 1 });
    this.updates += 1;
    const data = { ...vehicle };
    this.keys.set(change.idempotencyKey, { status: 200, data, fingerprint });
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      return unreachable();
    }
    return { type: "ok", status: 200, data, replayed: false };
  };

  /** Another session edits the vehicle. */
  editElsewhere(id: string, name: string) {
    const vehicle = this.vehicles.get(id)!;
    Object.assign(vehicle, { name, version: vehicle.version + 1 });
    this.updates += 1;
  }

  private refuse(status: number, code: string, details: Record<string, unknown> = {}): SendOutcome {
    return { type: "refused", error: new ApiError(status, { code, message: code, details }) };
  }
}

interface Rename {
  id: string;
  version: number;
  name: string;
}

const rename: QueuedMutationDefinition<Rename, { before: string | undefined }> = {
  kind: "test.rename",
  request: ({ id, version, name }) => ({ method: "PATCH", path: `/api/v1/vehicles/${id}`, body: { version, name } }),
  label: ({ name }) => `Rename to ${name}`,
  entity: ({ id }) => ({ type: "vehicle", id, read: `/api/v1/vehicles/${id}` }),
  invalidates: ({ id }) => [["vehicles", "detail", id]],
  onQueue: (client, { id, name }) => {
    const before = client.getQueryData<Vehicle>(["vehicles", "detail", id]);
    client.setQueryData<Vehicle>(["vehicles", "detail", id], (v) => (v ? { ...v, name } : v));
    return { before: before?.name };
  },
  onDiscard: (client, { id }, context) => {
    client.setQueryData<Vehicle>(["vehicles", "detail", id], (v) =>
      v && context?.before !== undefined ? { ...v, name: context.before } : v,
    );
  },
};

let dbCount = 0;
let store: ChangeStore;
let client: QueryClient;
let online: boolean;
let now: number;
const queues: MutationQueue[] = [];

function makeQueue(server: FakeServer, scope = "user-1:tenant-a", extra: Partial<ConstructorParameters<typeof MutationQueue>[0]> = {}) {
  const queue = new MutationQueue({
    client,
    store,
    send: server.send,
    read: async (path) => ({ ...server.vehicles.get(path.split("/").at(-1)!) }),
    isOnline: () => online,
    now: () => now,
    ...extra,
  });
  queue.define(rename);
  queues.push(queue);
  return queue.setScope(scope).then(() => queue);
}

beforeEach(() => {
  dbCount += 1;
  store = idbChangeStore(openOfflineDb(`queue-test-${dbCount}`));
  client = new QueryClient();
  online = true;
  now = 1_000_000;
});

afterEach(() => {
  for (const queue of queues.splice(0)) queue.dispose();
  client.clear();
});

const statuses = (queue: MutationQueue) => queue.getSnapshot().map((c) => c.status);

describe("the offline mutation queue", () => {
  it("stores an edit with its key, applies it to the cache and sends it once", async () => {
    const server = new FakeServer({ id: "v1", version: 3, name: "Old" });
    client.setQueryData(["vehicles", "detail", "v1"], { id: "v1", version: 3, name: "Old" });
    const invalidate = vi.spyOn(client, "invalidateQueries");
    const queue = await makeQueue(server);

    const change = await queue.enqueue(rename, { id: "v1", version: 3, name: "New" });
    expect(client.getQueryData<Vehicle>(["vehicles", "detail", "v1"])?.name).toBe("New");
    expect(change.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((await store.list("user-1:tenant-a"))[0]?.status).toMatch(/pending|syncing|synced/);

    await queue.flush();
    expect(statuses(queue)).toEqual(["synced"]);
    expect(server.updates).toBe(1);
    expect(server.sent.map((c) => c.idempotencyKey)).toEqual([change.idempotencyKey]);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["vehicles", "detail", "v1"] });
    expect((await store.list("user-1:tenant-a"))[0]?.status).toBe("synced");
  });

  it("keeps edits made offline in IndexedDB and sends them after a reload, in order", async () => {
    const server = new FakeServer({ id: "v1", version: 1, name: "A" }, { id: "v2", version: 5, name: "B" });
    online = false;
    const first = await makeQueue(server);
    await first.enqueue(rename, { id: "v1", version: 1, name: "A2" });
    await first.enqueue(rename, { id: "v2", version: 5, name: "B2" });
    await first.flush();
    expect(server.sent).toHaveLength(0);
    expect(statuses(first)).toEqual(["pending", "pending"]);
    first.dispose();

    online = true; // the page is loaded again, online
    const second = await makeQueue(server);
    await second.flush();
    expect(server.sent.map((c) => c.label)).toEqual(["Rename to A2", "Rename to B2"]);
    expect(statuses(second)).toEqual(["synced", "synced"]);
    expect(server.vehicles.get("v1")).toMatchObject({ name: "A2", version: 2 });
  });

  it("resends with the same key after a lost answer, and counts a replay as synced", async () => {
    const server = new FakeServer({ id: "v1", version: 1, name: "A" });
    const queue = await makeQueue(server);
    server.loseNextAnswer = true;
    await queue.enqueue(rename, { id: "v1", version: 1, name: "A2" });
    await queue.flush();
    const [waiting] = queue.getSnapshot();
    expect(waiting).toMatchObject({ status: "pending", maybeSent: true, attempts: 1 });
    expect(waiting!.nextAttemptAt).toBeGreaterThan(now);

    await queue.flush(); // backing off: nothing is sent before its time
    expect(server.sent).toHaveLength(1);

    now = waiting!.nextAttemptAt;
    await queue.flush();
    expect(server.sent).toHaveLength(2);
    expect(server.sent[1]!.idempotencyKey).toBe(server.sent[0]!.idempotencyKey);
    expect(queue.getSnapshot()[0]).toMatchObject({ status: "synced", replayed: true });
    expect(server.updates).toBe(1);
  });

  it("backs off while the server can't be reached, and sends at once when back online", async () => {
    const server = new FakeServer({ id: "v1", version: 1, name: "A" });
    const queue = await makeQueue(server);
    server.unreachable = true;
    await queue.enqueue(rename, { id: "v1", version: 1, name: "A2" });
    await queue.flush();
    expect(queue.getSnapshot()[0]).toMatchObject({ status: "pending", attempts: 1 });
    server.unreachable = false;
    await queue.retryNow();
    expect(statuses(queue)).toEqual(["synced"]);
  });

  it("sends later edits of a record on the version the earlier one made", async () => {
    const server = new FakeServer({ id: "v1", version: 7, name: "A" });
    online = false;
    const queue = await makeQueue(server);
    await queue.enqueue(rename, { id: "v1", version: 7, name: "B" });
    await queue.enqueue(rename, { id: "v1", version: 7, name: "C" }); // made on top of B, offline
    online = true;
    await queue.flush();
    expect(statuses(queue)).toEqual(["synced", "synced"]);
    expect(server.sent.map((c) => (c.request.body as Rename).version)).toEqual([7, 8]);
    expect(server.vehicles.get("v1")).toMatchObject({ name: "C", version: 9 });
  });

  it("shows a version conflict with the server's copy; keep mine sends it on that version", async () => {
    const server = new FakeServer({ id: "v1", version: 2, name: "A" }, { id: "v2", version: 1, name: "X" });
    online = false;
    const queue = await makeQueue(server);
    await queue.enqueue(rename, { id: "v1", version: 2, name: "Mine" });
    await queue.enqueue(rename, { id: "v1", version: 2, name: "Mine again" });
    await queue.enqueue(rename, { id: "v2", version: 1, name: "Y" });
    server.editElsewhere("v1", "Theirs");
    online = true;
    await queue.flush();

    // The conflict waits for the person; the next edit of v1 waits behind it; v2 goes on.
    expect(statuses(queue)).toEqual(["conflict", "pending", "synced"]);
    const conflict = queue.getSnapshot()[0]!;
    expect(conflict.error).toMatchObject({ status: 409, code: "version_conflict" });
    expect(conflict.server).toMatchObject({ name: "Theirs", version: 3 });

    await queue.keepMine(conflict.id);
    await queue.flush();
    expect(statuses(queue)).toEqual(["synced", "synced", "synced"]);
    const resent = server.sent.filter((c) => c.id === conflict.id);
    expect(resent.map((c) => (c.request.body as Rename).version)).toEqual([2, 3]);
    expect(resent[1]!.idempotencyKey).not.toBe(resent[0]!.idempotencyKey);
    expect(server.vehicles.get("v1")).toMatchObject({ name: "Mine again", version: 5 });
  });

  it("undoes a discarded edit in the cache and forgets it", async () => {
    const server = new FakeServer({ id: "v1", version: 2, name: "A" });
    client.setQueryData(["vehicles", "detail", "v1"], { id: "v1", version: 2, name: "A" });
    online = false;
    const queue = await makeQueue(server);
    const change = await queue.enqueue(rename, { id: "v1", version: 2, name: "B" });
    expect(client.getQueryData<Vehicle>(["vehicles", "detail", "v1"])?.name).toBe("B");
    await queue.discard(change.id);
    expect(client.getQueryData<Vehicle>(["vehicles", "detail", "v1"])?.name).toBe("A");
    expect(queue.getSnapshot()).toEqual([]);
    expect(await store.list("user-1:tenant-a")).toEqual([]);
    online = true;
    await queue.flush();
    expect(server.sent).toHaveLength(0);
  });

  it("marks a refused edit failed, never drops it, and retries on request", async () => {
    const server = new FakeServer({ id: "v1", version: 1, name: "A" });
    const queue = await makeQueue(server);
    await queue.enqueue(rename, { id: "v1", version: 1, name: "" });
    await queue.flush();
    expect(queue.getSnapshot()[0]).toMatchObject({ status: "failed", error: { status: 422 } });
    await queue.retry(queue.getSnapshot()[0]!.id);
    await queue.flush();
    expect(statuses(queue)).toEqual(["failed"]);
    expect(server.sent).toHaveLength(2);
  });

  it("waits for a new sign-in after a 401", async () => {
    const server = new FakeServer({ id: "v1", version: 1, name: "A" });
    const onUnauthenticated = vi.fn();
    const send = vi.fn(
      async (): Promise<SendOutcome> => ({
        type: "refused",
        error: new ApiError(401, { code: "not_authenticated", message: "Sign in", details: {} }),
      }),
    );
    const queue = await makeQueue(server, "user-1:tenant-a", { send, onUnauthenticated });
    await queue.enqueue(rename, { id: "v1", version: 1, name: "B" });
    await queue.flush();
    expect(statuses(queue)).toEqual(["pending"]);
    expect(onUnauthenticated).toHaveBeenCalled();
  });

  it("never shows or sends another session's changes", async () => {
    const server = new FakeServer({ id: "v1", version: 1, name: "A" });
    online = false;
    const queue = await makeQueue(server, "user-1:tenant-a");
    await queue.enqueue(rename, { id: "v1", version: 1, name: "B" });
    online = true;
    await queue.setScope("user-1:tenant-b");
    await queue.flush();
    expect(queue.getSnapshot()).toEqual([]);
    expect(server.sent).toHaveLength(0);
    await queue.setScope("user-1:tenant-a");
    await queue.flush();
    expect(statuses(queue)).toEqual(["synced"]);
  });

  it("replaces an edit not yet sent, but not one the server may have", async () => {
    const server = new FakeServer({ id: "v1", version: 1, name: "A" });
    online = false;
    const queue = await makeQueue(server);
    const change = await queue.enqueue(rename, { id: "v1", version: 1, name: "B" });
    const replaced = await queue.replace(change.id, { id: "v1", version: 1, name: "C" });
    expect(replaced.idempotencyKey).not.toBe(change.idempotencyKey);
    expect(replaced.label).toBe("Rename to C");

    online = true;
    server.unreachable = true;
    await queue.flush();
    await expect(queue.replace(change.id, { id: "v1", version: 1, name: "D" })).rejects.toThrow(/may already be saved/);
  });

  it("drops synced changes after a while", async () => {
    const server = new FakeServer({ id: "v1", version: 1, name: "A" });
    const queue = await makeQueue(server);
    await queue.enqueue(rename, { id: "v1", version: 1, name: "B" });
    await queue.flush();
    now += 11 * 60_000;
    await queue.reload();
    expect(queue.getSnapshot()).toEqual([]);
    expect(await store.list("user-1:tenant-a")).toEqual([]);
  });
});
