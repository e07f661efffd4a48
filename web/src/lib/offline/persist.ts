import { dehydrate, hydrate, type DehydratedState, type QueryClient } from "@tanstack/react-query";

import type { OfflineDb } from "./db";

/** Bump when cached shapes change incompatibly: older saved caches are then dropped. */
export const CACHE_BUSTER = "fleetyard-1";
const CURRENT = "current";
const DAY_MS = 24 * 60 * 60_000;
/** At most this many queries are kept (the most recently fetched). */
const MAX_QUERIES = 400;

export interface QueryPersistenceOptions {
  client: QueryClient;
  db: Promise<OfflineDb>;
  /**
   * Whose data the cache holds now (`user:tenant`), read from the cache itself (the session
   * query), or null when nobody is signed in. The cache is saved under this key only.
   */
  scopeOf: (client: QueryClient) => string | null;
  /** Called with the new scope after sign-in, sign-out, tenant switch (and after restore). */
  onScopeChange?: (scope: string | null) => void;
  buster?: string;
  maxAgeMs?: number;
  throttleMs?: number;
  /** Infinite lists keep only their first pages (a 10,000-row list stays small). */
  maxPages?: number;
}

/** Only the first `maxPages` pages of infinite queries; queries with `meta.persist: false` left out. */
export function dehydrateForDisk(client: QueryClient, maxPages: number): DehydratedState {
  const state = dehydrate(client, {
    shouldDehydrateQuery: (query) =>
      query.state.status === "success" && query.meta?.persist !== false,
  });
  for (const query of state.queries) {
    const data = query.state.data as { pages?: unknown[]; pageParams?: unknown[] } | undefined;
    if (Array.isArray(data?.pages) && Array.isArray(data.pageParams) && data.pages.length > maxPages) {
      query.state.data = {
        pages: data.pages.slice(0, maxPages),
        pageParams: data.pageParams.slice(0, maxPages),
      };
    }
  }
  return state;
}

/**
 * `fresh` plus the queries only `saved` has (newest first, within the age and count limits):
 * a page closed before its last save must not lose what an earlier page had saved.
 */
export function mergeSaved(fresh: DehydratedState, saved: DehydratedState | undefined, oldest: number): DehydratedState {
  const hashes = new Set(fresh.queries.map((query) => query.queryHash));
  const kept = (saved?.queries ?? []).filter(
    (query) => !hashes.has(query.queryHash) && query.state.dataUpdatedAt >= oldest,
  );
  const queries = [...fresh.queries, ...kept]
    .sort((a, b) => b.state.dataUpdatedAt - a.state.dataUpdatedAt)
    .slice(0, MAX_QUERIES);
  return { ...fresh, queries };
}

/**
 * The TanStack Query cache saved to IndexedDB under `user:tenant`, so what was seen before
 * shows offline. Only the current session's cache is ever kept: signing out, or switching
 * to another tenant or user, deletes every other saved cache, and a saved cache is only
 * restored into the session it was saved from (its own session query says whose it is).
 */
export class QueryPersistence {
  private readonly options: Required<Omit<QueryPersistenceOptions, "onScopeChange">> &
    Pick<QueryPersistenceOptions, "onScopeChange">;
  private scope: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private warned = false;

  constructor(options: QueryPersistenceOptions) {
    this.options = {
      buster: CACHE_BUSTER,
      maxAgeMs: 7 * DAY_MS,
      throttleMs: 300,
      maxPages: 2,
      ...options,
    };
    // Restored queries must outlive their first screen, or the next save forgets them.
    const queries = this.options.client.getDefaultOptions().queries;
    this.options.client.setDefaultOptions({
      ...this.options.client.getDefaultOptions(),
      queries: { ...queries, gcTime: Math.max(queries?.gcTime ?? 0, DAY_MS) },
    });
  }

  /** IndexedDB work, one at a time and in order (a delete never races a save). */
  private serial<T>(work: (db: OfflineDb) => Promise<T>): Promise<T> {
    const next = this.chain.then(async () => work(await this.options.db));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Put the last saved cache back into the client, if it is recent and intact. */
  async restore(): Promise<void> {
    const { client, buster, maxAgeMs, scopeOf } = this.options;
    const saved = await this.serial(async (db) => {
      const current = await db.get("meta", CURRENT);
      return current ? db.get("queries", current) : undefined;
    });
    if (!saved) return;
    if (saved.buster !== buster || Date.now() - saved.savedAt > maxAgeMs) {
      await this.clear(null);
      return;
    }
    hydrate(client, saved.state);
    if (scopeOf(client) !== saved.scope) {
      // Never show a cache to a session it wasn't saved from.
      client.clear();
      await this.clear(null);
      return;
    }
    // What was saved is last seen, never fresh: shown at once, asked again on first use when
    // online (a role changed since the last visit applies on this page load, not minutes later).
    await client.invalidateQueries({ refetchType: "none" });
  }

  /** Save on every change of the cache (throttled) and follow the session; returns a stop. */
  start(): () => void {
    const { client, scopeOf } = this.options;
    this.changeScope(scopeOf(client));
    const unsubscribe = client.getQueryCache().subscribe(() => {
      const scope = scopeOf(client);
      if (scope !== this.scope) this.changeScope(scope);
      this.scheduleSave();
    });
    const saveNow = () => void this.save();
    globalThis.addEventListener?.("pagehide", saveNow);
    return () => {
      unsubscribe();
      globalThis.removeEventListener?.("pagehide", saveNow);
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
    };
  }

  private changeScope(scope: string | null): void {
    this.scope = scope;
    this.clear(scope).catch((error: unknown) => console.warn("Couldn't clear the offline cache", error));
    this.options.onScopeChange?.(scope);
  }

  private scheduleSave(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save();
    }, this.options.throttleMs);
  }

  /** Save the cache now under its session's key (nothing without a session). */
  save(): Promise<void> {
    const { client, scopeOf, buster, maxPages, maxAgeMs } = this.options;
    // Read the session and the data in one go: a save can't mix two sessions.
    const scope = scopeOf(client);
    if (scope === null) return Promise.resolve();
    const state = dehydrateForDisk(client, maxPages);
    return this.serial(async (db) => {
      if (scope !== this.scope) return; // the session changed since: this cache is stale
      const tx = db.transaction(["queries", "meta"], "readwrite");
      const saved = await tx.objectStore("queries").get(scope);
      const merged = mergeSaved(state, saved?.buster === buster ? saved.state : undefined, Date.now() - maxAgeMs);
      await Promise.all([
        tx.objectStore("queries").put({ scope, savedAt: Date.now(), buster, state: merged }),
        tx.objectStore("meta").put(scope, CURRENT),
        tx.done,
      ]);
    }).catch((error: unknown) => {
      if (!this.warned) console.warn("Couldn't save the offline cache", error); // once, not per save
      this.warned = true;
    });
  }

  /** Delete every saved cache but `keep`'s (all of them when `keep` is null). */
  clear(keep: string | null): Promise<void> {
    return this.serial(async (db) => {
      const tx = db.transaction(["queries", "meta"], "readwrite");
      const queries = tx.objectStore("queries");
      for (const scope of await queries.getAllKeys()) {
        if (scope !== keep) await queries.delete(scope);
      }
      const meta = tx.objectStore("meta");
      if ((await meta.get(CURRENT)) !== keep) await meta.delete(CURRENT);
      await tx.done;
    });
  }
}
