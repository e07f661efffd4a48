import "fake-indexeddb/auto";

import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";

import { openOfflineDb, type OfflineDb } from "./db";
import { dehydrateForDisk, QueryPersistence } from "./persist";

const ME = ["session", "me"];
type Me = { user_id: string; tenant_id: string } | null;

function scopeOf(client: QueryClient): string | null {
  const me = client.getQueryData<Me>(ME);
  return me ? `${me.user_id}:${me.tenant_id}` : null;
}

let dbCount = 0;
const stops: (() => void)[] = [];

afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function setup(db: Promise<OfflineDb>, scopes: (string | null)[] = []) {
  const client = new QueryClient();
  const persistence = new QueryPersistence({
    client,
    db,
    scopeOf,
    throttleMs: 5,
    onScopeChange: (scope) => scopes.push(scope),
  });
  return { client, persistence };
}

function signIn(client: QueryClient, user: string, tenant: string) {
  client.setQueryData(ME, { user_id: user, tenant_id: tenant });
}

async function savedScopes(db: Promise<OfflineDb>): Promise<string[]> {
  return (await db).getAllKeys("queries");
}

describe("the saved query cache", () => {
  it("saves the session's cache and restores it after a reload", async () => {
    const db = openOfflineDb(`persist-test-${++dbCount}`);
    const first = setup(db);
    stops.push(first.persistence.start());
    signIn(first.client, "u1", "ta");
    first.client.setQueryData(["vehicles", "detail", "v1"], { plate: "AC-0001" });
    await first.persistence.save();
    expect(await savedScopes(db)).toEqual(["u1:ta"]);

    const scopes: (string | null)[] = [];
    const second = setup(db, scopes);
    await second.persistence.restore();
    stops.push(second.persistence.start());
    expect(second.client.getQueryData(["vehicles", "detail", "v1"])).toEqual({ plate: "AC-0001" });
    expect(scopes).toEqual(["u1:ta"]);
  });

  it("restores what was seen as stale, so the session and the data are asked again on use", async () => {
    const db = openOfflineDb(`persist-test-${++dbCount}`);
    const first = setup(db);
    stops.push(first.persistence.start());
    signIn(first.client, "u1", "ta");
    first.client.setQueryData(["vehicles", "detail", "v1"], { plate: "AC-0001" });
    await first.persistence.save();

    const second = setup(db);
    await second.persistence.restore();
    for (const key of [ME, ["vehicles", "detail", "v1"]]) {
      const state = second.client.getQueryState(key);
      expect(state?.isInvalidated).toBe(true);
      expect(state?.fetchStatus).toBe("idle"); // nothing fetched until a screen uses it
    }
    expect(second.client.getQueryData(ME)).toEqual({ user_id: "u1", tenant_id: "ta" });
  });

  it("forgets the previous tenant's cache when the session switches tenant", async () => {
    const db = openOfflineDb(`persist-test-${++dbCount}`);
    const { client, persistence } = setup(db);
    stops.push(persistence.start());
    signIn(client, "u1", "ta");
    client.setQueryData(["vehicles", "detail", "v1"], { plate: "AC-0001" });
    await persistence.save();

    // What the tenant switcher does: the new session, then the old tenant's data reset.
    signIn(client, "u1", "tb");
    await client.resetQueries({ predicate: (q) => q.queryKey[0] !== "session" });
    client.setQueryData(["vehicles", "detail", "b1"], { plate: "BT-0001" });
    await persistence.save();

    expect(await savedScopes(db)).toEqual(["u1:tb"]);
    const saved = await (await db).get("queries", "u1:tb");
    expect(JSON.stringify(saved)).not.toContain("AC-0001");
    expect(JSON.stringify(saved)).toContain("BT-0001");
  });

  it("deletes every saved cache on sign-out", async () => {
    const db = openOfflineDb(`persist-test-${++dbCount}`);
    const { client, persistence } = setup(db);
    stops.push(persistence.start());
    signIn(client, "u1", "ta");
    await persistence.save();
    client.setQueryData(ME, null);
    await persistence.save();
    await persistence.clear(null); // waits for the queued delete
    expect(await savedScopes(db)).toEqual([]);
  });

  it("never restores a cache into another session", async () => {
    const db = openOfflineDb(`persist-test-${++dbCount}`);
    const { client, persistence } = setup(db);
    const stop = persistence.start();
    signIn(client, "u1", "ta");
    client.setQueryData(["secret"], "tenant A's");
    await persistence.save();
    stop();
    // Tampered or stale: the pointer names a cache whose session query says otherwise.
    const handle = await db;
    const saved = (await handle.get("queries", "u1:ta"))!;
    await handle.put("queries", { ...saved, scope: "u2:tb" });
    await handle.put("meta", "u2:tb", "current");

    const other = setup(db);
    await other.persistence.restore();
    expect(other.client.getQueryData(["secret"])).toBeUndefined();
    expect(await savedScopes(db)).toEqual([]);
  });

  it("keeps what an earlier page saved that this one never loaded", async () => {
    const db = openOfflineDb(`persist-test-${++dbCount}`);
    const first = setup(db);
    stops.push(first.persistence.start());
    signIn(first.client, "u1", "ta");
    await first.persistence.save();
    // A second page (a reload) restores before the first one's last save has landed…
    const second = setup(db);
    await second.persistence.restore();
    stops.push(second.persistence.start());
    first.client.setQueryData(["vehicles", "list"], ["AC-0001"]);
    await first.persistence.save();
    // …then saves what it has, without the list.
    second.client.setQueryData(["vehicles", "detail", "v1"], { plate: "AC-0001" });
    await second.persistence.save();
    const third = setup(db);
    await third.persistence.restore();
    expect(third.client.getQueryData(["vehicles", "list"])).toEqual(["AC-0001"]);
    expect(third.client.getQueryData(["vehicles", "detail", "v1"])).toEqual({ plate: "AC-0001" });
  });

  it("keeps the first pages of long lists and skips queries marked persist: false", async () => {
    const client = new QueryClient();
    client.setQueryData(["list"], { pages: [1, 2, 3, 4], pageParams: [null, "a", "b", "c"] });
    await client.prefetchQuery({ queryKey: ["live"], queryFn: () => 1, meta: { persist: false } });
    const state = dehydrateForDisk(client, 2);
    const keys = state.queries.map((q) => q.queryKey[0]);
    expect(keys).toEqual(["list"]);
    expect(state.queries[0]!.state.data).toEqual({ pages: [1, 2], pageParams: [null, "a"] });
  });
});
