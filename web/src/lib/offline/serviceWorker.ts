import { useSyncExternalStore } from "react";

/** The service worker's state, for the "new version" banner (one worker per page). */
let updateReady = false;
let applyUpdate: ((reload?: boolean) => Promise<void>) | null = null;
const listeners = new Set<() => void>();
const UPDATE_CHECK_MS = 60 * 60_000;

function setUpdateReady(): void {
  updateReady = true;
  for (const listener of listeners) listener();
}

/**
 * Register the app's service worker (it precaches the shell and every built asset, so the
 * app starts offline; it never caches the API: last-seen data lives in the per-session
 * IndexedDB cache). A new build waits until the person reloads (see `useAppUpdate`).
 */
export async function registerServiceWorker(): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  const { registerSW } = await import("virtual:pwa-register");
  applyUpdate = registerSW({
    immediate: true,
    onNeedRefresh: setUpdateReady,
    onRegisteredSW(_url, registration) {
      if (registration) setInterval(() => void registration.update(), UPDATE_CHECK_MS);
    },
    onRegisterError: (error: unknown) => console.warn("Service worker not registered", error),
  });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether a new version is installed and waiting, and how to switch to it. */
export function useAppUpdate(): { ready: boolean; reload: () => void } {
  const ready = useSyncExternalStore(subscribe, () => updateReady, () => false);
  return { ready, reload: () => void applyUpdate?.(true) };
}
