import type { QueryClient, QueryKey } from "@tanstack/react-query";

/**
 * Where a change stands:
 * - `pending`: stored, waiting for the network (or for an earlier change to the same record);
 * - `syncing`: being sent now;
 * - `synced`: the server applied it (or answered `Idempotent-Replayed`: it had already);
 * - `conflict`: the server answered 409 (someone changed the record, the slot is taken…);
 *   the person decides: keep theirs (sent again on top of the server's version) or discard;
 * - `failed`: refused for good (403, 404, 422…); retry or discard.
 */
export type ChangeStatus = "pending" | "syncing" | "synced" | "conflict" | "failed";

export type HttpMethod = "POST" | "PUT" | "PATCH" | "DELETE";

/** The HTTP call a change replays: JSON only, so it survives in IndexedDB. */
export interface QueuedRequest {
  method: HttpMethod;
  /** Same-origin path with its query, e.g. `/api/v1/vehicles/0190…`. */
  path: string;
  body?: unknown;
  /** Sent as `If-Match` (for a DELETE, where there is no body to carry `version`). */
  ifMatch?: number;
}

/** The record a change is about: changes to one record replay in order, one at a time. */
export interface ChangeEntity {
  type: string;
  id: string;
  /** GET path of the record: after a version conflict, the server's copy is read from it. */
  read?: string;
}

/** The server's refusal, kept to show it. */
export interface ChangeError {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** One edit, stored in IndexedDB until the server has it. */
export interface QueuedChange<V = unknown> {
  id: string;
  /** Replay order: the order the edits were made in. */
  seq: number;
  /** `user:tenant`: a change replays only in the session that made it. */
  scope: string;
  kind: string;
  /** Says what the edit is, for people: "Edit vehicle AB-123". */
  label: string;
  vars: V;
  /** What `onQueue` returned (for `onDiscard`). */
  context?: unknown;
  request: QueuedRequest;
  /** Generated once per edit; a resend with it can never apply the edit twice. */
  idempotencyKey: string;
  entity?: ChangeEntity;
  /** Query keys to refetch once the server has answered. */
  invalidates: QueryKey[];
  status: ChangeStatus;
  attempts: number;
  /** No send before this time (ms since epoch): the retry backoff. */
  nextAttemptAt: number;
  /** A send ended without an answer: the server may have applied it (the key makes a resend safe). */
  maybeSent: boolean;
  createdAt: number;
  updatedAt: number;
  /** The server said it had seen this key already (`Idempotent-Replayed: true`). */
  replayed?: boolean;
  response?: unknown;
  error?: ChangeError;
  /** After a version conflict: the server's copy of the record. */
  server?: unknown;
}

export interface QueuedMutationDefinition<V, C = unknown> {
  /** Unique name, e.g. `vehicles.update`. */
  kind: string;
  request: (vars: V) => QueuedRequest;
  label: (vars: V) => string;
  entity?: (vars: V) => ChangeEntity | undefined;
  /** Query keys to refetch once synced (or discarded). */
  invalidates?: (vars: V) => QueryKey[];
  /** Optimistic update of the query cache; returns what `onDiscard` needs to undo it (JSON). */
  onQueue?: (client: QueryClient, vars: V) => C;
  /** Undo `onQueue` when the person discards the change. */
  onDiscard?: (client: QueryClient, vars: V, context: C | undefined) => void;
  /** The server's answer, e.g. to put the saved record in the cache at once. */
  onSynced?: (client: QueryClient, vars: V, response: unknown) => void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDefinition = QueuedMutationDefinition<any, any>;

export const OPEN_STATUSES: readonly ChangeStatus[] = ["pending", "syncing", "conflict", "failed"];

export function isOpen(change: QueuedChange): boolean {
  return OPEN_STATUSES.includes(change.status);
}
