import type { QueryKey } from "@tanstack/react-query";

import type { ChangeEntity, HttpMethod, QueuedMutationDefinition } from "./types";

/**
 * One edit for the offline queue, as plain data: the generic API any feature calls for its
 * edits (`queue.queueChange(input)`, or `useQueueChange()` in a component). Stored in
 * IndexedDB, sent with its `Idempotency-Key` now or when the network returns (by the open
 * tab, or by the service worker's Background Sync with the app closed), exactly once.
 */
export interface ChangeInput {
  /** What sort of edit, e.g. `inspections.submit`, `work-orders.update`. */
  kind: string;
  method: HttpMethod;
  /** Same-origin API path, e.g. `/api/v1/work-orders/0190…`. */
  path: string;
  /** JSON body (it must survive IndexedDB: plain data, no Blob/File/Date). */
  body?: unknown;
  /** Sent as `If-Match` (a DELETE's version). */
  ifMatch?: number;
  /** For people, in the sync panel and in problems: "Submit inspection for AB-123". */
  describe: string;
  /** The record it changes: edits of one record are sent one at a time, in order. */
  entity?: ChangeEntity;
  /** Query keys to refetch once the server has answered (in every open tab). */
  invalidates?: QueryKey[];
  /**
   * Made once per edit (default: a new UUID). Give your own to make a re-submitted form the
   * same edit: the queue keeps one change per key, the server applies a key once.
   */
  idempotencyKey?: string;
}

const GENERIC = Symbol("generic change");

type GenericDefinition = QueuedMutationDefinition<ChangeInput> & { [GENERIC]: true };

/** The definition behind `queueChange` for one kind: the input is the request. */
export function genericDefinition(kind: string): GenericDefinition {
  return {
    [GENERIC]: true,
    kind,
    request: ({ method, path, body, ifMatch }) => ({
      method,
      path,
      ...(body === undefined ? {} : { body }),
      ...(ifMatch === undefined ? {} : { ifMatch }),
    }),
    label: ({ describe }) => describe,
    entity: ({ entity }) => entity,
    invalidates: ({ invalidates }) => invalidates ?? [],
  };
}

export function isGenericDefinition(definition: object): boolean {
  return GENERIC in definition;
}
