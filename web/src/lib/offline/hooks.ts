import { useCallback, useMemo, useSyncExternalStore } from "react";

import { useMutationQueue } from "./context";
import type { ChangeInput } from "./generic";
import type { QueuedChange, QueuedMutationDefinition } from "./types";

/** The session's queued changes, oldest first (synced ones stay listed a while). */
export function useQueuedChanges(): readonly QueuedChange[] {
  const queue = useMutationQueue();
  return useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);
}

/** The changes about one record (e.g. `vehicle`, its id), oldest first. */
export function useChangesFor(type: string, id: string | undefined): QueuedChange[] {
  const changes = useQueuedChanges();
  return useMemo(
    () => changes.filter((change) => change.entity?.type === type && change.entity.id === id),
    [changes, type, id],
  );
}

export interface SyncSummary {
  pending: number;
  conflicts: number;
  failed: number;
  synced: number;
}

export function summarize(changes: readonly QueuedChange[]): SyncSummary {
  const summary: SyncSummary = { pending: 0, conflicts: 0, failed: 0, synced: 0 };
  for (const change of changes) {
    if (change.status === "pending" || change.status === "syncing") summary.pending += 1;
    else if (change.status === "conflict") summary.conflicts += 1;
    else if (change.status === "failed") summary.failed += 1;
    else summary.synced += 1;
  }
  return summary;
}

export function useSyncSummary(): SyncSummary {
  const changes = useQueuedChanges();
  return useMemo(() => summarize(changes), [changes]);
}

/**
 * A mutation that goes through the offline queue: `mutate(vars)` stores the edit with its
 * own Idempotency-Key, applies `onQueue` to the cache and resolves with the queued change
 * at once; the queue sends it (now, or when the network is back). Pass a definition that
 * keeps its identity (a module constant).
 */
export function useQueuedMutation<V, C = unknown>(definition: QueuedMutationDefinition<V, C>) {
  const queue = useMutationQueue();
  return useMemo(() => {
    queue.define(definition);
    return {
      /** `idempotencyKey`: one made per form, so a form sent twice queues one change. */
      mutate: (vars: V, idempotencyKey?: string) => queue.enqueue(definition, vars, idempotencyKey),
      /** Change an edit not yet applied by the server (a new key; refused if it may be). */
      replace: (changeId: string, vars: V) => queue.replace(changeId, vars),
      discard: (changeId: string) => queue.discard(changeId),
    };
  }, [queue, definition]);
}

/**
 * The generic way to queue an edit (see `ChangeInput`): `queueChange({ kind, method, path,
 * body, describe, entity, invalidates, idempotencyKey })` stores it and resolves with the
 * queued change at once; it is sent now or when the network returns (exactly once).
 */
export function useQueueChange(): (input: ChangeInput) => Promise<QueuedChange<ChangeInput>> {
  const queue = useMutationQueue();
  return useCallback((input: ChangeInput) => queue.queueChange(input), [queue]);
}
