import type { QueryClient, QueryKey } from "@tanstack/react-query";

import { genericDefinition, isGenericDefinition, type ChangeInput } from "./generic";
import { entityKey, fromDefinition, refusal, versionOf, withVersion } from "./changes";
import { newKey } from "./ids";
import type { SendOutcome, Sender } from "./send";
import type { ChangeStore } from "./store";
import { isOpen, type AnyDefinition, type QueuedChange, type QueuedMutationDefinition } from "./types";

export interface QueueOptions {
  /** The page's query cache; absent in the service worker (nothing to refetch there). */
  client?: QueryClient;
  store: ChangeStore;
  send: Sender;
  /** Reads a record's current copy (after a version conflict). */
  read?: (path: string) => Promise<unknown>;
  now?: () => number;
  isOnline?: () => boolean;
  /** Runs a flush under a lock shared by the app's tabs (Web Locks), so only one sends. */
  lock?: (run: () => Promise<void>) => Promise<void>;
  /** Tells other tabs the stored queue changed. */
  broadcast?: (scope: string) => void;
  /** The server answered 401: the session is gone (changes wait for the next sign-in). */
  onUnauthenticated?: () => void;
  /** How long synced changes stay listed. */
  keepSyncedMs?: number;
  /**
   * Changes wait to be sent (offline, or the server away): the page registers a Background
   * Sync here, so the service worker sends them even if the app is closed.
   */
  onWaiting?: (scope: string) => void;
  /**
   * Send without waiting for the backoff: the service worker's sync runs only when the
   * browser says the network is back, and the browser's own retries are its backoff.
   */
  ignoreBackoff?: boolean;
}

type StepResult = "next" | "blocked" | "stop";
type OptionalHooks = "client" | "broadcast" | "onUnauthenticated" | "onWaiting";

const KEEP_SYNCED_MS = 10 * 60_000;
const IDLE_CHECK_MS = 30_000;

export class QueueError extends Error {}

/**
 * The offline mutation queue: every edit is stored (IndexedDB) with an Idempotency-Key made
 * once, applied to the query cache at once, and replayed in order whenever the network is
 * there — online or not, one code path, so a flaky connection never applies an edit twice.
 *
 * Framework-free; React reaches it through `OfflineProvider` and `useQueuedMutation`.
 */
export class MutationQueue {
  private readonly options: Required<Omit<QueueOptions, OptionalHooks>> & Pick<QueueOptions, OptionalHooks>;
  private scope: string | null = null;
  private changes: readonly QueuedChange[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly definitions = new Map<string, AnyDefinition>();
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  private inFlight: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSeq = 0;
  private pendingInvalidations: QueryKey[] = [];

  constructor(options: QueueOptions) {
    this.options = {
      read: async () => null,
      now: () => Date.now(),
      isOnline: () => globalThis.navigator?.onLine ?? true,
      lock: (run) => run(),
      keepSyncedMs: KEEP_SYNCED_MS,
      ignoreBackoff: false,
      ...options,
    };
  }

  // state for React -----------------------------------------------------------------------
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The current session's changes, oldest first (a new array after every change). */
  getSnapshot = (): readonly QueuedChange[] => this.changes;

  get currentScope(): string | null {
    return this.scope;
  }

  define(definition: AnyDefinition): void {
    this.definitions.set(definition.kind, definition);
  }

  private setChanges(changes: readonly QueuedChange[]): void {
    this.changes = changes;
    for (const listener of this.listeners) listener();
  }

  private find(id: string): QueuedChange | undefined {
    return this.changes.find((change) => change.id === id);
  }

  private async save(change: QueuedChange): Promise<QueuedChange> {
    await this.options.store.put(change);
    if (change.scope === this.scope) {
      const exists = this.changes.some((c) => c.id === change.id);
      this.setChanges(
        exists
          ? this.changes.map((c) => (c.id === change.id ? change : c))
          : [...this.changes, change],
      );
    }
    this.options.broadcast?.(change.scope);
    return change;
  }

  private async patch(id: string, fields: Partial<QueuedChange>): Promise<QueuedChange> {
    const change = this.find(id);
    if (!change) throw new QueueError("That change is no longer in the queue.");
    return this.save({ ...change, ...fields, updatedAt: this.options.now() });
  }

  // session -------------------------------------------------------------------------------
  /** Whose changes to show and send (`user:tenant`), or null when nobody is signed in. */
  async setScope(scope: string | null): Promise<void> {
    if (scope === this.scope) return;
    this.scope = scope;
    this.setChanges([]);
    this.clearTimer();
    if (scope === null) return;
    await this.reload();
    void this.flush();
  }

  /** Read the stored queue again (another tab changed it); drops synced changes grown old. */
  async reload(): Promise<void> {
    const scope = this.scope;
    if (scope === null) return;
    const stored = await this.options.store.list(scope);
    const horizon = this.options.now() - this.options.keepSyncedMs;
    const kept: QueuedChange[] = [];
    for (const change of stored) {
      if (change.status === "synced" && change.updatedAt < horizon) {
        await this.options.store.delete(change.id);
      } else {
        kept.push(change);
      }
    }
    if (scope !== this.scope) return;
    const before = new Map(this.changes.map((change) => [change.id, change.status]));
    this.lastSeq = Math.max(this.lastSeq, ...kept.map((change) => change.seq));
    this.setChanges(kept);
    // Sent meanwhile by another tab or the service worker: refresh what they touched.
    const keys: QueryKey[] = [];
    for (const change of kept) {
      const was = before.get(change.id);
      if (change.status !== "synced" || was === undefined || was === "synced") continue;
      this.runSynced(change, change.response);
      keys.push(...change.invalidates);
    }
    this.invalidate(keys);
  }

  // edits ---------------------------------------------------------------------------------
  /** Store an edit, apply it to the cache, and send it as soon as possible. */
  async enqueue<V, C>(
    definition: QueuedMutationDefinition<V, C>,
    vars: V,
    idempotencyKey?: string,
  ): Promise<QueuedChange<V>> {
    const scope = this.scope;
    if (scope === null) throw new QueueError("Sign in to make changes.");
    this.define(definition);
    const client = this.options.client;
    // The same edit submitted twice (a double tap, a retried form): queued once.
    const queued = idempotencyKey === undefined ? undefined : this.changes.find((c) => c.idempotencyKey === idempotencyKey);
    if (queued) return queued as QueuedChange<V>;
    const now = this.options.now();
    const context = client ? definition.onQueue?.(client, vars) : undefined;
    const change: QueuedChange<V> = {
      ...fromDefinition(definition, vars, context),
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      id: newKey(),
      seq: (this.lastSeq = Math.max(now, this.lastSeq + 1)),
      scope,
      maybeSent: false,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.save(change as QueuedChange);
    } catch (error) {
      if (client) definition.onDiscard?.(client, vars, context);
      throw error;
    }
    void this.flush();
    return change;
  }

  /**
   * Queue a plain HTTP edit with no cache logic of its own (see `ChangeInput`): the generic
   * way into the queue for any feature. Its `kind` must not also name a full definition.
   */
  queueChange(input: ChangeInput): Promise<QueuedChange<ChangeInput>> {
    const known = this.definitions.get(input.kind);
    if (known && !isGenericDefinition(known)) {
      return Promise.reject(new QueueError(`${input.kind} has its own definition; use it.`));
    }
    const definition = known ?? genericDefinition(input.kind);
    return this.enqueue(definition as QueuedMutationDefinition<ChangeInput>, input, input.idempotencyKey);
  }

  /**
   * Replace a change not yet applied by the server with a new edit (a booking made offline,
   * changed before it was sent). Refused when it may already have reached the server.
   */
  async replace<V>(id: string, vars: V): Promise<QueuedChange<V>> {
    const change = this.find(id);
    if (!change) throw new QueueError("That change is no longer in the queue.");
    const definition = this.definitions.get(change.kind) as QueuedMutationDefinition<V> | undefined;
    if (!definition) throw new QueueError(`No definition for ${change.kind}.`);
    if (this.inFlight === id || change.status === "syncing" || change.status === "synced") {
      throw new QueueError("This change is being saved; try again in a moment.");
    }
    if (change.status === "pending" && change.maybeSent) {
      throw new QueueError("This change may already be saved; wait until it syncs.");
    }
    const client = this.options.client;
    if (client) definition.onDiscard?.(client, change.vars as V, change.context);
    const context = client ? definition.onQueue?.(client, vars) : undefined;
    const replaced = await this.save({
      ...change,
      ...fromDefinition(definition, vars, context),
      updatedAt: this.options.now(),
    });
    void this.flush();
    return replaced as QueuedChange<V>;
  }

  /** Drop a change the server has not applied, undoing its optimistic update. */
  async discard(id: string): Promise<void> {
    const change = this.find(id);
    if (!change) return;
    if (this.inFlight === id) throw new QueueError("This change is being sent; try again in a moment.");
    await this.options.store.delete(id);
    this.setChanges(this.changes.filter((c) => c.id !== id));
    this.options.broadcast?.(change.scope);
    if (change.status === "synced") return;
    const definition = this.definitions.get(change.kind);
    const client = this.options.client;
    if (client && definition?.onDiscard) definition.onDiscard(client, change.vars, change.context);
    this.invalidate(change.invalidates);
  }

  /** A conflict resolved as "keep mine": sent again on top of the server's version. */
  async keepMine(id: string): Promise<void> {
    const change = this.find(id);
    if (!change || change.status !== "conflict") return;
    const current = versionOf(change.server) ?? Number(change.error?.details.current);
    if (!Number.isInteger(current) || current < 1) {
      throw new QueueError("The server's version is unknown; discard this change or retry.");
    }
    await this.patch(id, {
      request: withVersion(change, current),
      // A new request: a new key (the refused one was never stored by the server).
      idempotencyKey: newKey(),
      status: "pending",
      attempts: 0,
      nextAttemptAt: 0,
      error: undefined,
      server: undefined,
    });
    void this.flush();
  }

  /** Send a refused change again as it is (the slot may be free now, a role granted…). */
  async retry(id: string): Promise<void> {
    const change = this.find(id);
    if (!change || change.status === "synced" || change.status === "syncing") return;
    await this.patch(id, { status: "pending", attempts: 0, nextAttemptAt: 0 });
    void this.flush();
  }

  /** The network is back (or the person asked): send now, forgetting the backoff. */
  async retryNow(): Promise<void> {
    for (const change of this.changes) {
      if (change.status === "pending" && change.nextAttemptAt > 0) {
        await this.patch(change.id, { nextAttemptAt: 0 });
      }
    }
    await this.flush();
  }

  async clearSynced(): Promise<void> {
    for (const change of this.changes) {
      if (change.status === "synced") await this.options.store.delete(change.id);
    }
    this.setChanges(this.changes.filter((change) => change.status !== "synced"));
  }

  // replay --------------------------------------------------------------------------------
  /** Send what can be sent, in order; resolves when this round is done. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.clearTimer();
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await this.options.lock(() => this.flushOnce());
        } while (this.flushAgain);
      } finally {
        this.flushing = null;
        this.schedule();
      }
    })();
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const scope = this.scope;
    if (scope === null || !this.options.isOnline()) return;
    await this.reload(); // another tab may have sent some
    await this.recoverInterrupted();
    const blocked = new Set<string>();
    try {
      for (const { id } of this.changes) {
        if (this.scope !== scope) return;
        const change = this.find(id);
        if (!change) continue;
        const key = entityKey(change);
        if (change.status === "conflict" || change.status === "failed") {
          if (key) blocked.add(key); // later edits of that record wait for the person
          continue;
        }
        if (change.status !== "pending" || (key && blocked.has(key))) continue;
        // Backing off: keep the order.
        if (!this.options.ignoreBackoff && change.nextAttemptAt > this.options.now()) return;
        const result = await this.sendOne(change);
        if (result === "stop") return;
        if (result === "blocked" && key) blocked.add(key);
      }
    } finally {
      this.invalidate(this.pendingInvalidations.splice(0));
    }
  }

  /** A send cut short by a closed tab: the server may have it; the key makes a resend safe. */
  private async recoverInterrupted(): Promise<void> {
    for (const change of this.changes) {
      if (change.status === "syncing" && change.id !== this.inFlight) {
        await this.patch(change.id, { status: "pending", maybeSent: true });
      }
    }
  }

  private async sendOne(change: QueuedChange): Promise<StepResult> {
    const attempts = change.attempts + 1;
    const sending = await this.patch(change.id, { status: "syncing", attempts });
    this.inFlight = change.id;
    let outcome: SendOutcome;
    try {
      outcome = await this.options.send(sending);
    } finally {
      this.inFlight = null;
    }
    if (outcome.type === "ok") {
      await this.synced(sending, outcome.data, outcome.replayed);
      return "next";
    }
    const verdict = refusal(sending, outcome.error, outcome.type === "refused", this.options.now());
    if (verdict.step === "conflict") {
      const read = verdict.readServer ? change.entity?.read : undefined;
      const server = read ? await this.options.read(read) : undefined;
      await this.patch(change.id, { ...verdict.fields, server });
      return "blocked";
    }
    await this.patch(change.id, verdict.fields);
    if (verdict.step === "unauthenticated") this.options.onUnauthenticated?.();
    return verdict.step === "failed" ? "blocked" : "stop";
  }

  private async synced(change: QueuedChange, data: unknown, replayed: boolean): Promise<void> {
    await this.patch(change.id, {
      status: "synced",
      response: data,
      replayed,
      maybeSent: false,
      error: undefined,
      server: undefined,
    });
    await this.rebase(change, versionOf(data));
    this.runSynced(change, data);
    this.pendingInvalidations.push(...change.invalidates);
  }

  private runSynced(change: QueuedChange, data: unknown): void {
    const client = this.options.client;
    if (!client) return;
    try {
      this.definitions.get(change.kind)?.onSynced?.(client, change.vars, data);
    } catch (error) {
      console.warn(`onSynced of ${change.kind} failed`, error);
    }
  }

  /** Later edits of the same record were made on top of this one: send them on its new version. */
  private async rebase(change: QueuedChange, version: number | undefined): Promise<void> {
    const key = entityKey(change);
    if (version === undefined || key === null) return;
    for (const later of this.changes) {
      if (later.seq > change.seq && later.status === "pending" && entityKey(later) === key) {
        await this.patch(later.id, { request: withVersion(later, version) });
      }
    }
  }

  private invalidate(keys: QueryKey[]): void {
    const client = this.options.client;
    if (!client) return;
    const seen = new Set<string>();
    for (const queryKey of keys) {
      const id = JSON.stringify(queryKey);
      if (seen.has(id)) continue;
      seen.add(id);
      void client.invalidateQueries({ queryKey });
    }
  }

  // timers --------------------------------------------------------------------------------
  private schedule(): void {
    this.clearTimer();
    const waiting = this.changes.filter((change) => change.status === "pending");
    if (this.scope === null || waiting.length === 0) return;
    this.options.onWaiting?.(this.scope);
    // Due now but not sent: offline, or behind a conflict. Look again in a while.
    const wait = Math.min(...waiting.map((change) => change.nextAttemptAt)) - this.options.now();
    const delay = wait > 0 ? Math.min(wait, IDLE_CHECK_MS) : IDLE_CHECK_MS;
    this.timer = setTimeout(() => void this.flush(), delay);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Stop timers (the provider unmounts). */
  dispose(): void {
    this.clearTimer();
    this.listeners.clear();
  }

  /** Open changes count, for tests and the indicator. */
  openCount(): number {
    return this.changes.filter(isOpen).length;
  }
}
