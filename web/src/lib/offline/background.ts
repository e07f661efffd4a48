import { csrfToken } from "@/lib/api/csrf";

import type { OfflineDb } from "./db";
import { saveSyncSession, SYNC_TAG } from "./sync";

/** The Background Sync API (Chromium): not in TypeScript's DOM types. */
interface SyncRegistration {
  sync: { register(tag: string): Promise<void> };
}

function hasSync(registration: ServiceWorkerRegistration): registration is ServiceWorkerRegistration & SyncRegistration {
  return "sync" in registration && typeof (registration as Partial<SyncRegistration>).sync?.register === "function";
}

/** Whether this browser replays changes with the app closed (else the open tab does). */
export function backgroundSyncSupported(): boolean {
  return typeof window !== "undefined" && "serviceWorker" in navigator && "SyncManager" in window;
}

/**
 * Ask the service worker to send the queue when the network returns, even if every tab is
 * closed by then. Without Background Sync (or a service worker) it does nothing: the open
 * tab's replay (online, visible, backoff timer) is all there is. Resolves whether registered.
 */
export async function requestBackgroundSync(): Promise<boolean> {
  if (!backgroundSyncSupported()) return false;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration?.active || !hasSync(registration)) return false;
    await registration.sync.register(SYNC_TAG);
    return true;
  } catch {
    return false; // denied (no permission, private window): the open tab still replays
  }
}

/**
 * Keeps the session the service worker may send for (its scope and CSRF token) current:
 * `write(scope)` when changes wait or the session changes, `write(null)` on sign-out (the
 * token is deleted). Writes go in order; an unchanged session is not written again.
 */
export function syncSessionWriter(db: Promise<OfflineDb>, token: () => string | null = csrfToken) {
  let chain = Promise.resolve();
  let last: string | undefined;
  return (scope: string | null): Promise<void> => {
    const session = scope === null ? null : { scope, csrf: token() };
    const text = JSON.stringify(session);
    if (text !== last) {
      last = text;
      chain = chain
        .then(async () => saveSyncSession(await db, session))
        .catch((error: unknown) => console.warn("Couldn't store the sync session", error));
    }
    return chain;
  };
}
