import { CSRF_HEADER, csrfToken } from "@/lib/api/csrf";
import { networkError, toApiError, type ApiError } from "@/lib/api/errors";

import type { QueuedChange } from "./types";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";

export type SendOutcome =
  | { type: "ok"; status: number; data: unknown; replayed: boolean }
  /** The server answered with an error (its envelope as an ApiError). */
  | { type: "refused"; error: ApiError }
  /** No answer: offline, or the connection dropped (the server may have applied it). */
  | { type: "unreachable"; error: ApiError };

export type Sender = (change: QueuedChange) => Promise<SendOutcome>;

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The change's request, with its Idempotency-Key, the CSRF token and `If-Match` if any. */
export function requestFor(change: QueuedChange, origin: string, csrf: () => string | null = csrfToken): Request {
  const { method, path, body, ifMatch } = change.request;
  const headers = new Headers({ Accept: "application/json" });
  headers.set(IDEMPOTENCY_HEADER, change.idempotencyKey);
  const token = csrf();
  if (token) headers.set(CSRF_HEADER, token);
  if (ifMatch !== undefined) headers.set("If-Match", `"${ifMatch}"`);
  if (body !== undefined) headers.set("Content-Type", "application/json");
  return new Request(new URL(path, origin), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
}

/**
 * Send a change over HTTP (the fetch resolved at call time, so tests may stub it). `csrf`
 * gives the session's token: the page reads it from the cookie, the service worker (no
 * cookies to read) from the sync session the page stored.
 */
export function httpSender(
  origin = globalThis.location?.origin ?? "http://localhost",
  csrf: () => string | null = csrfToken,
): Sender {
  return async (change) => {
    let response: Response;
    try {
      response = await globalThis.fetch(requestFor(change, origin, csrf));
    } catch (cause) {
      return { type: "unreachable", error: networkError(cause) };
    }
    let data: unknown;
    try {
      data = await readBody(response);
    } catch (cause) {
      return { type: "unreachable", error: networkError(cause) };
    }
    if (response.ok) {
      const replayed = response.headers.get(REPLAYED_HEADER) === "true";
      return { type: "ok", status: response.status, data, replayed };
    }
    return { type: "refused", error: toApiError(response.status, data) };
  };
}

/** Read a record's current copy (after a version conflict); null when it can't be read. */
export async function readRecord(path: string, origin = globalThis.location?.origin ?? "http://localhost"): Promise<unknown> {
  try {
    const response = await globalThis.fetch(
      new Request(new URL(path, origin), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      }),
    );
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}
