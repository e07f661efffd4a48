// The replay the service worker runs on a Background Sync (the app may be closed), built on
// the same queue the page uses: one module, run in both (see src/sw.ts and sync.test.ts).
import type { OfflineDb } from "./db";
import { MutationQueue } from "./queue";
import type { Sender } from "./send";
import { idbChangeStore } from "./store";

/** The Background Sync tag the page registers while changes wait for the network. */
export const SYNC_TAG = "fleetyard-changes";
/** Web Lock shared by the tabs and the service worker: one sender at a time. */
export const SYNC_LOCK = "fleetyard-sync";
/** BroadcastChannel the queue's writers announce on: `{ scope }`, the stored queue changed. */
export const CHANNEL = "fleetyard-offline";
/** `meta` key of the session the service worker may send for. */
const SYNC_SESSION = "sync-session";

/**
 * The signed-in session, for a sender with no page: whose changes (`user:tenant`) and the
 * CSRF token the API wants with the session cookie. Only the current session's is kept; the
 * page deletes it on sign-out (or when the session is gone), so nothing is sent for a
 * session that ended, nor another user's or tenant's changes with this session's cookie.
 */
export interface SyncSession {
  scope: string;
  csrf: string | null;
}

function isSyncSession(value: unknown): value is SyncSession {
  if (typeof value !== "object" || value === null) return false;
  const { scope, csrf } = value as Record<string, unknown>;
  return typeof scope === "string" && scope.length > 0 && (csrf === null || typeof csrf === "string");
}

export async function saveSyncSession(db: OfflineDb, session: SyncSession | null): Promise<void> {
  if (session === null) await db.delete("meta", SYNC_SESSION);
  else await db.put("meta", JSON.stringify({ scope: session.scope, csrf: session.csrf }), SYNC_SESSION);
}

export async function loadSyncSession(db: OfflineDb): Promise<SyncSession | null> {
  const stored = await db.get("meta", SYNC_SESSION);
  if (stored === undefined) return null;
  try {
    const session: unknown = JSON.parse(stored);
    return isSyncSession(session) ? session : null;
  } catch {
    return null;
  }
}

export interface ReplayOptions {
  db: OfflineDb;
  /** Makes the sender for a session (its CSRF token). */
  sender: (session: SyncSession) => Sender;
  read?: (path: string) => Promise<unknown>;
  lock?: (run: () => Promise<void>) => Promise<void>;
  broadcast?: (scope: string) => void;
  now?: () => number;
}

export interface ReplayResult {
  /** Whose changes were sent, or null (nobody signed in: nothing sent). */
  scope: string | null;
  synced: number;
  /** Refused for good (4xx) or in conflict: shown to the person when the app opens. */
  problems: number;
  /** Still to send (behind a refused change of the same record, or not reached). */
  waiting: number;
  /** The network or the server was away (no answer, 5xx, 429): worth another sync later. */
  retry: boolean;
}

/**
 * Send the signed-in session's stored changes, in order, once each: the network just came
 * back, so backoff waits are skipped (all of it under the Web Lock the tabs share). A 4xx marks the change failed (or in conflict) for the
 * person to see; a 5xx or no answer leaves it pending, counted in `waiting`.
 */
export async function replayStoredChanges(options: ReplayOptions): Promise<ReplayResult> {
  const session = await loadSyncSession(options.db);
  // Without a token every change would be refused (403): they wait for the page instead.
  if (session?.csrf == null) return { scope: null, synced: 0, problems: 0, waiting: 0, retry: false };
  let online = false; // the first look only loads the queue
  let unauthenticated = false;
  const queue = new MutationQueue({
    store: idbChangeStore(Promise.resolve(options.db)),
    send: options.sender(session),
    isOnline: () => online,
    // The network just came back: no waiting out a backoff made while it was away.
    ignoreBackoff: true,
    onUnauthenticated: () => {
      unauthenticated = true;
    },
    ...(options.read ? { read: options.read } : {}),
    ...(options.lock ? { lock: options.lock } : {}),
    ...(options.broadcast ? { broadcast: options.broadcast } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  try {
    await queue.setScope(session.scope);
    await queue.flush();
    const before = new Set(queue.getSnapshot().filter((c) => c.status === "synced").map((c) => c.id));
    online = true;
    const startedAt = options.now?.() ?? Date.now();
    await queue.flush(); // everything under the lock the tabs share
    const changes = queue.getSnapshot();
    const count = (test: (status: string) => boolean) => changes.filter((c) => test(c.status)).length;
    const waiting = changes.filter((c) => c.status === "pending" || c.status === "syncing");
    return {
      scope: session.scope,
      synced: changes.filter((c) => c.status === "synced" && !before.has(c.id)).length,
      problems: count((status) => status === "failed" || status === "conflict"),
      waiting: waiting.length,
      // Without a session (401) nothing can be sent until the person signs in again.
      retry: !unauthenticated && waiting.some((c) => c.nextAttemptAt > startedAt),
    };
  } finally {
    queue.dispose();
  }
}
