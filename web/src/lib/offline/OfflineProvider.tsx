import { IsRestoringProvider, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";

import { requestBackgroundSync, syncSessionWriter } from "./background";
import { QueueContext } from "./context";
import { DB_NAME, openOfflineDb } from "./db";
import { QueryPersistence } from "./persist";
import { MutationQueue } from "./queue";
import { httpSender, readRecord } from "./send";
import { idbChangeStore } from "./store";
import { CHANNEL, SYNC_LOCK } from "./sync";
import type { AnyDefinition } from "./types";

interface Props {
  /** `user:tenant` of the session the cache holds, or null (see QueryPersistence). */
  scopeOf: (client: QueryClient) => string | null;
  /** Every feature's queued mutations, so a change can be undone from anywhere. */
  definitions?: readonly AnyDefinition[];
  onUnauthenticated?: () => void;
  dbName?: string;
  children: ReactNode;
}

/** Runs a flush under a lock all of the app's tabs share, where the browser has Web Locks. */
function crossTabLock(run: () => Promise<void>): Promise<void> {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request(SYNC_LOCK, run).then(() => undefined) : run();
}

function createRuntime(client: QueryClient, props: Props) {
  const db = Promise.resolve().then(() => openOfflineDb(props.dbName ?? DB_NAME));
  const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL);
  const writeSession = syncSessionWriter(db);
  const queue = new MutationQueue({
    client,
    store: idbChangeStore(db),
    send: httpSender(),
    read: (path) => readRecord(path),
    lock: crossTabLock,
    broadcast: (scope) => channel?.postMessage({ scope }),
    onUnauthenticated: props.onUnauthenticated,
    // Changes wait: the service worker sends them when the network returns, app open or not.
    onWaiting: (scope) => {
      writeSession(scope);
      void requestBackgroundSync();
    },
  });
  for (const definition of props.definitions ?? []) queue.define(definition);
  const persistence = new QueryPersistence({
    client,
    db,
    scopeOf: props.scopeOf,
    onScopeChange: (scope) => {
      writeSession(scope); // signed out (or the session is gone): the token is deleted
      void queue.setScope(scope);
    },
  });
  return { queue, persistence, channel };
}

/**
 * Offline support for everything below: the saved query cache is restored first (queries
 * wait for it), then saved as it changes; the change queue follows the session and sends
 * when the network comes back, when the tab is shown again, and on its own backoff timer;
 * where the browser has Background Sync, the service worker also sends it with the app
 * closed (src/sw.ts), and this tab refreshes from its broadcast.
 */
export function OfflineProvider(props: Props) {
  const client = useQueryClient();
  const [runtime] = useState(() => createRuntime(client, props));
  const [restoring, setRestoring] = useState(true);

  useEffect(() => {
    const { queue, persistence, channel } = runtime;
    let stop: (() => void) | null = null;
    let cancelled = false;
    persistence
      .restore()
      .catch((error: unknown) => console.warn("Couldn't restore the offline cache", error))
      .finally(() => {
        if (cancelled) return;
        stop = persistence.start();
        setRestoring(false);
      });
    const online = () => void queue.retryNow();
    const visible = () => {
      if (document.visibilityState === "visible") void queue.flush();
    };
    const fromOtherTab = (event: MessageEvent<{ scope?: string }>) => {
      if (event.data.scope === queue.currentScope) void queue.reload();
    };
    window.addEventListener("online", online);
    document.addEventListener("visibilitychange", visible);
    channel?.addEventListener("message", fromOtherTab);
    return () => {
      cancelled = true;
      stop?.();
      window.removeEventListener("online", online);
      document.removeEventListener("visibilitychange", visible);
      channel?.removeEventListener("message", fromOtherTab);
    };
  }, [runtime]);

  return (
    <QueueContext value={runtime.queue}>
      <IsRestoringProvider value={restoring}>{props.children}</IsRestoringProvider>
    </QueueContext>
  );
}
