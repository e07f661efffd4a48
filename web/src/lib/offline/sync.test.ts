import "fake-indexeddb/auto";

import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { syncSessionWriter } from "./background";
import { openOfflineDb, type OfflineDb } from "./db";
import type { ChangeInput } from "./generic";
import { MutationQueue } from "./queue";
import { httpSender } from "./send";
import { idbChangeStore } from "./store";
import { loadSyncSession, replayStoredChanges, saveSyncSession } from "./sync";
import type { QueuedMutationDefinition } from "./types";

const ORIGIN = "http://fleet.test";
const SCOPE = "user-1:tenant-a";

/**
 * The API behind `fetch`, as Fleetyard's behaves: each Idempotency-Key applied once (a resend
 * gets the first answer, `Idempotent-Replayed: true`), the session's CSRF token required.
 */
class FakeApi {
  applied: { method: string; path: string; body: unknown }[] = [];
  keys = new Map<string, { status: number; body: string }>();
  requests: Request[] = [];
  down = false;
  /** Answer with this status (after applying nothing) for the next request. */
  refuseNext: number | null = null;
  /** Apply the next request, then drop the connection before the answer. */
  loseNextAnswer = false;

  fetch = async (input: RequestInfo | URL): Promise<Response> => {
    const request = input as Request;
    this.requests.push(request.clone());
    if (this.down) throw new TypeError("Failed to fetch");
    if (request.headers.get("X-CSRF-Token") !== "csrf-a") return this.error(403, "csrf_failed");
    if (this.refuseNext !== null) {
      const status = this.refuseNext;
      this.refuseNext = null;
      return this.error(status, status >= 500 ? "internal" : "validation_failed");
    }
    const key = request.headers.get("Idempotency-Key") ?? "";
    const stored = this.keys.get(key);
    if (stored) {
      return new Response(stored.body, { status: stored.status, headers: { "Idempotent-Replayed": "true" } });
    }
    const text = await request.text();
    const path = new URL(request.url).pathname;
    this.applied.push({ method: request.method, path, body: text ? JSON.parse(text) : null });
    const body = JSON.stringify({ id: path.split("/").at(-2), version: this.applied.length + 1 });
    this.keys.set(key, { status: 200, body });
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new TypeError("connection reset");
    }
    return new Response(body, { status: 200 });
  };

  private error(status: number, code: string) {
    return new Response(JSON.stringify({ error: { code, message: code, details: {} } }), { status });
  }
}

const driverEdit: ChangeInput = {
  kind: "drivers.update",
  method: "PATCH",
  path: "/api/v1/drivers/d1",
  body: { phone: "+358 40 123", version: 1 },
  describe: "Edit driver Dana Driver",
  entity: { type: "driver", id: "d1" },
  invalidates: [["drivers"]],
};
const acknowledgement: ChangeInput = {
  kind: "alerts.acknowledge",
  method: "POST",
  path: "/api/v1/alerts/a1/acknowledge",
  describe: "Acknowledge alert: Fuel level low",
  entity: { type: "alert", id: "a1" },
  invalidates: [["alerts"]],
};

let dbCount = 0;
let db: OfflineDb;
let api: FakeApi;
let online: boolean;
const queues: MutationQueue[] = [];

/** The page's queue (a tab), offline unless said otherwise. */
async function pageQueue(extra: Partial<ConstructorParameters<typeof MutationQueue>[0]> = {}) {
  const queue = new MutationQueue({
    client: new QueryClient(),
    store: idbChangeStore(Promise.resolve(db)),
    send: httpSender(ORIGIN, () => "csrf-a"),
    isOnline: () => online,
    ...extra,
  });
  queues.push(queue);
  await queue.setScope(SCOPE);
  return queue;
}

/** What the service worker's sync event runs. */
const replay = () =>
  replayStoredChanges({ db, sender: (session) => httpSender(ORIGIN, () => session.csrf) });

beforeEach(async () => {
  dbCount += 1;
  db = await openOfflineDb(`sync-test-${dbCount}`);
  api = new FakeApi();
  vi.stubGlobal("fetch", api.fetch);
  online = false;
});

afterEach(() => {
  for (const queue of queues.splice(0)) queue.dispose();
  db.close();
  vi.unstubAllGlobals();
});

describe("the generic queueChange API", () => {
  it("queues plain edits offline and asks for a background sync", async () => {
    const waiting = vi.fn();
    const queue = await pageQueue({ onWaiting: waiting });
    const change = await queue.queueChange(driverEdit);
    await queue.queueChange(acknowledgement);
    expect(change).toMatchObject({ kind: "drivers.update", label: "Edit driver Dana Driver", status: "pending" });
    expect(change.request).toEqual({ method: "PATCH", path: "/api/v1/drivers/d1", body: driverEdit.body });
    expect(change.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(waiting).toHaveBeenCalledWith(SCOPE);
    expect(api.requests).toHaveLength(0);
    const stored = await idbChangeStore(Promise.resolve(db)).list(SCOPE);
    expect(stored.map((c) => c.label)).toEqual([driverEdit.describe, acknowledgement.describe]);
  });

  it("keeps one change per idempotency key (a form sent twice)", async () => {
    const queue = await pageQueue();
    const first = await queue.queueChange({ ...driverEdit, idempotencyKey: "form-1" });
    const again = await queue.queueChange({ ...driverEdit, idempotencyKey: "form-1" });
    expect(again.id).toBe(first.id);
    expect(queue.getSnapshot()).toHaveLength(1);
    expect(first.idempotencyKey).toBe("form-1");
  });

  it("refuses a kind that has a definition of its own", async () => {
    const queue = await pageQueue();
    const own: QueuedMutationDefinition<{ id: string }> = {
      kind: "drivers.update",
      request: ({ id }) => ({ method: "PATCH", path: `/api/v1/drivers/${id}`, body: {} }),
      label: () => "Edit",
    };
    queue.define(own);
    await expect(queue.queueChange(driverEdit)).rejects.toThrow(/its own definition/);
  });
});

describe("the service worker's replay", () => {
  it("sends the signed-in session's changes once each, with its CSRF token and keys", async () => {
    const queue = await pageQueue();
    await queue.queueChange(driverEdit);
    await queue.queueChange(acknowledgement);
    queue.dispose(); // the app is closed
    await saveSyncSession(db, { scope: SCOPE, csrf: "csrf-a" });

    const result = await replay();
    expect(result).toEqual({ scope: SCOPE, synced: 2, problems: 0, waiting: 0, retry: false });
    expect(api.applied).toEqual([
      { method: "PATCH", path: "/api/v1/drivers/d1", body: driverEdit.body },
      { method: "POST", path: "/api/v1/alerts/a1/acknowledge", body: null },
    ]);
    const keys = api.requests.map((r) => r.headers.get("Idempotency-Key"));
    expect(new Set(keys).size).toBe(2);

    // A second sync (or the tab opening) sends nothing again.
    expect(await replay()).toMatchObject({ synced: 0, waiting: 0 });
    expect(api.requests).toHaveLength(2);
    const reopened = await pageQueue();
    online = true;
    await reopened.flush();
    expect(reopened.getSnapshot().map((c) => c.status)).toEqual(["synced", "synced"]);
    expect(api.applied).toHaveLength(2);
  });

  it("marks a 4xx failed for the person, and leaves a 5xx or no network for a later sync", async () => {
    const queue = await pageQueue();
    await queue.queueChange(driverEdit);
    await queue.queueChange(acknowledgement);
    await saveSyncSession(db, { scope: SCOPE, csrf: "csrf-a" });

    api.down = true;
    expect(await replay()).toMatchObject({ synced: 0, waiting: 2, retry: true });
    api.down = false;
    api.refuseNext = 503;
    expect(await replay()).toMatchObject({ synced: 0, waiting: 2, retry: true });
    api.refuseNext = 422; // the driver edit: refused for good
    expect(await replay()).toEqual({ scope: SCOPE, synced: 1, problems: 1, waiting: 0, retry: false });
    expect(api.applied.map((a) => a.path)).toEqual(["/api/v1/alerts/a1/acknowledge"]);
    const stored = await db.getAllFromIndex("changes", "by-scope", SCOPE);
    const edit = stored.find((c) => c.kind === "drivers.update");
    expect(edit).toMatchObject({ status: "failed", error: { status: 422, code: "validation_failed" } });

    // Not retried on its own: the next sync leaves it for the person.
    expect(await replay()).toMatchObject({ synced: 0, problems: 1, retry: false });
    expect(api.applied).toHaveLength(1);
  });

  it("resends an edit whose answer was lost with the same key: applied once", async () => {
    const queue = await pageQueue();
    await queue.queueChange(driverEdit);
    await saveSyncSession(db, { scope: SCOPE, csrf: "csrf-a" });
    api.loseNextAnswer = true;
    expect(await replay()).toMatchObject({ synced: 0, retry: true });
    expect(await replay()).toMatchObject({ synced: 1, retry: false });
    expect(api.applied).toHaveLength(1);
    const [first, second] = api.requests.map((r) => r.headers.get("Idempotency-Key"));
    expect(second).toBe(first);
    const [stored] = await db.getAllFromIndex("changes", "by-scope", SCOPE);
    expect(stored).toMatchObject({ status: "synced", replayed: true });
  });

  it("sends nothing without a sync session, and only the session's own scope", async () => {
    const queue = await pageQueue();
    await queue.queueChange(driverEdit);
    expect(await replay()).toEqual({ scope: null, synced: 0, problems: 0, waiting: 0, retry: false });
    await saveSyncSession(db, { scope: "user-1:tenant-b", csrf: "csrf-a" });
    expect(await replay()).toMatchObject({ scope: "user-1:tenant-b", synced: 0, waiting: 0 });
    expect(api.requests).toHaveLength(0);

    await saveSyncSession(db, { scope: SCOPE, csrf: null }); // no token known: nothing sent
    expect(await replay()).toMatchObject({ scope: null, synced: 0 });
    expect(api.requests).toHaveLength(0);
    await saveSyncSession(db, { scope: SCOPE, csrf: "csrf-a" });
    expect(await loadSyncSession(db)).toEqual({ scope: SCOPE, csrf: "csrf-a" });
    await saveSyncSession(db, null); // signed out
    expect(await loadSyncSession(db)).toBeNull();
    expect(await replay()).toMatchObject({ scope: null });
    expect(api.requests).toHaveLength(0);
  });

  it("ignores a malformed stored session", async () => {
    await db.put("meta", "{not json", "sync-session");
    expect(await loadSyncSession(db)).toBeNull();
    await db.put("meta", JSON.stringify({ scope: 3 }), "sync-session");
    expect(await loadSyncSession(db)).toBeNull();
  });

  it("waits for a sign-in after a 401 instead of retrying", async () => {
    const queue = await pageQueue();
    await queue.queueChange(driverEdit);
    await saveSyncSession(db, { scope: SCOPE, csrf: "csrf-a" });
    api.refuseNext = 401;
    expect(await replay()).toMatchObject({ synced: 0, waiting: 1, retry: false });
  });

  it("an open tab refreshes what the worker synced", async () => {
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, "invalidateQueries");
    const tab = await pageQueue({ client });
    await tab.queueChange(driverEdit);
    await saveSyncSession(db, { scope: SCOPE, csrf: "csrf-a" });
    await replay();
    expect(invalidate).not.toHaveBeenCalled();
    await tab.reload(); // the worker's broadcast
    expect(tab.getSnapshot().map((c) => c.status)).toEqual(["synced"]);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["drivers"] });
    invalidate.mockClear();
    await tab.reload();
    expect(invalidate).not.toHaveBeenCalled();
  });
});

describe("the sync session the page keeps for the worker", () => {
  it("stores the session's scope and CSRF token, follows a switch, and deletes them on sign-out", async () => {
    let token = "csrf-a";
    const write = syncSessionWriter(Promise.resolve(db), () => token);
    await write(SCOPE);
    expect(await loadSyncSession(db)).toEqual({ scope: SCOPE, csrf: "csrf-a" });
    token = "csrf-b"; // signed in again: a new token
    await write(SCOPE);
    expect(await loadSyncSession(db)).toEqual({ scope: SCOPE, csrf: "csrf-b" });
    await write("user-1:tenant-b"); // switched tenant: only the current session is kept
    expect(await loadSyncSession(db)).toEqual({ scope: "user-1:tenant-b", csrf: "csrf-b" });
    await write(null); // signed out
    expect(await loadSyncSession(db)).toBeNull();
    expect(await db.getAllKeys("meta")).not.toContain("sync-session");
  });
});
