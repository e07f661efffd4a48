// The app's service worker (built by vite-plugin-pwa, injectManifest; see pwa.config.ts):
// - precaches the app shell and every built file, so the app starts with no network, and
//   answers navigations with index.html (never the API: last-seen data lives in the
//   per-session IndexedDB cache, see src/lib/offline/persist.ts);
// - Web Push: public/push-sw.js, imported as it is;
// - Background Sync: replays the offline change queue when the network returns, even with
//   every tab closed, with the very module the page's queue uses (src/lib/offline/sync.ts).
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";

import { openOfflineDb } from "@/lib/offline/db";
import { readRecord, httpSender } from "@/lib/offline/send";
import { CHANNEL, replayStoredChanges, SYNC_LOCK, SYNC_TAG } from "@/lib/offline/sync";

// TypeScript's DOM and WebWorker libraries can't share one program: the little used here.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
  /** The browser won't retry this sync again (the open tab still will). */
  readonly lastChance: boolean;
}
interface MessageEventLike extends ExtendableEvent {
  readonly data: unknown;
}
interface ServiceWorkerScope {
  readonly __WB_MANIFEST: (string | PrecacheEntry)[];
  readonly location: { readonly origin: string };
  readonly navigator: { readonly locks?: LockManager };
  skipWaiting(): Promise<void>;
  importScripts(...urls: string[]): void;
  addEventListener(type: "sync", listener: (event: SyncEvent) => void): void;
  addEventListener(type: "message", listener: (event: MessageEventLike) => void): void;
}
declare const self: ServiceWorkerScope;

// Web Push (notifications, and opening the alert on a click).
self.importScripts("/push-sw.js");

// The app shell, offline.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("index.html"), {
    denylist: [
      /^\/api(\/|$)/,
      /^\/basemap(\/|$)/,
      /^\/(docs|redoc)(\/|$)/,
      /^\/openapi\.json$/,
      /^\/(healthz|readyz)$/,
    ],
  }),
);
clientsClaim();

// A new build waits for the person ("A new version is ready · Reload" sends this).
self.addEventListener("message", (event) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type === "SKIP_WAITING") void self.skipWaiting();
});

/** One sender at a time across the worker and the tabs (Web Locks, where there are). */
function withLock(run: () => Promise<void>): Promise<void> {
  const locks = self.navigator.locks;
  return locks ? locks.request(SYNC_LOCK, run).then(() => undefined) : run();
}

/**
 * Send the signed-in session's queued changes. A change the server refused (4xx) is marked
 * for the person to see next time; if some could not be sent (no network, 5xx) the sync
 * fails, so the browser tries again later with its own backoff — unless this was its last
 * chance, then the open tab's replay takes over.
 */
async function syncChanges(lastChance: boolean): Promise<void> {
  const origin = self.location.origin;
  const db = await openOfflineDb();
  const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL);
  try {
    const result = await replayStoredChanges({
      db,
      sender: (session) => httpSender(origin, () => session.csrf),
      read: (path) => readRecord(path, origin),
      lock: withLock,
      broadcast: (scope) => channel?.postMessage({ scope }),
    });
    if (result.retry && !lastChance) {
      throw new Error(`${result.waiting} changes still waiting for the network`);
    }
  } finally {
    channel?.close();
    db.close();
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(syncChanges(event.lastChance));
});
