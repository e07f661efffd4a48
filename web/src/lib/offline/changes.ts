import type { ApiError } from "@/lib/api/errors";

import { backoffMs, newKey } from "./ids";
import type { ChangeError, QueuedChange, QueuedMutationDefinition } from "./types";

/** Answers worth sending again later (with the same key): the server was busy or away. */
const RETRYABLE = new Set([408, 425, 429]);

export function plainError(error: ApiError): ChangeError {
  return { status: error.status, code: error.code, message: error.message, details: error.details };
}

/** Changes to one record share this key: they go one at a time, in order. */
export function entityKey(change: QueuedChange): string | null {
  return change.entity ? `${change.entity.type}:${change.entity.id}` : null;
}

export function versionOf(value: unknown): number | undefined {
  if (typeof value !== "object" || value === null || !("version" in value)) return undefined;
  const version = (value as { version: unknown }).version;
  return typeof version === "number" ? version : undefined;
}

/** The same request, sent on top of `version` (in the body if it carries one, else If-Match). */
export function withVersion(change: QueuedChange, version: number): QueuedChange["request"] {
  const request = { ...change.request };
  const body = request.body;
  if (typeof body === "object" && body !== null && "version" in body) {
    request.body = { ...body, version };
  }
  if (request.ifMatch !== undefined) request.ifMatch = version;
  return request;
}

/** What an edit sends, made from its definition: a fresh key, waiting to be sent. */
export function fromDefinition<V, C>(definition: QueuedMutationDefinition<V, C>, vars: V, context: C | undefined) {
  return {
    kind: definition.kind,
    label: definition.label(vars),
    vars,
    context,
    request: definition.request(vars),
    idempotencyKey: newKey(),
    entity: definition.entity?.(vars),
    invalidates: definition.invalidates?.(vars) ?? [],
    status: "pending" as const,
    attempts: 0,
    nextAttemptAt: 0,
    error: undefined,
    server: undefined,
  };
}

/** How a refused or unanswered send leaves the change. */
export type Refusal =
  /** Try again after the backoff (the network or the server is away); stop this round. */
  | { step: "stop"; fields: Partial<QueuedChange> }
  /** The session is gone: wait for a sign-in; stop this round. */
  | { step: "unauthenticated"; fields: Partial<QueuedChange> }
  /** 409: the person decides; the server's copy is read first for a version conflict. */
  | { step: "conflict"; fields: Partial<QueuedChange>; readServer: boolean }
  /** Refused for good (403, 404, 422…): the person decides. */
  | { step: "failed"; fields: Partial<QueuedChange> };

export function refusal(change: QueuedChange, error: ApiError, answered: boolean, now: number): Refusal {
  const problem = plainError(error);
  if (!answered || error.status >= 500 || RETRYABLE.has(error.status)) {
    return {
      step: "stop",
      fields: {
        status: "pending",
        maybeSent: change.maybeSent || !answered,
        nextAttemptAt: now + backoffMs(change.attempts),
        error: problem,
      },
    };
  }
  if (error.status === 401) {
    return { step: "unauthenticated", fields: { status: "pending", attempts: change.attempts - 1, error: problem } };
  }
  // An answered refusal rolled everything back: nothing of it reached the server.
  const refused = { maybeSent: false, error: problem };
  if (error.status === 409) {
    return {
      step: "conflict",
      fields: { ...refused, status: "conflict" },
      readServer: error.code === "version_conflict",
    };
  }
  return { step: "failed", fields: { ...refused, status: "failed" } };
}
