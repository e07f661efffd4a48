import createClient, { type Middleware } from "openapi-fetch";

import { csrfToken, CSRF_HEADER } from "./csrf";
import { networkError, toApiError } from "./errors";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Unsafe methods carry the session's CSRF token. */
export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
    const token = csrfToken();
    if (token) request.headers.set(CSRF_HEADER, token);
    return request;
  },
};

/** A typed client for the app's own API: same origin, cookie session. */
export function createApiClient(baseUrl = "", fetchImpl?: typeof fetch) {
  const client = createClient<paths>({
    baseUrl,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    // Resolved at call time, so tests may stub the global fetch.
    fetch: (request: Request) => (fetchImpl ?? globalThis.fetch)(request),
  });
  client.use(csrfMiddleware);
  return client;
}

/** The app's client: its own origin (absolute, so it also runs where relative URLs don't). */
export const api = createApiClient(typeof location === "undefined" ? "" : location.origin);

interface Result {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** What a call gives on success (openapi-fetch types `data` as absent on error). */
export type Data<R extends Result> = Exclude<R["data"], undefined>;

/**
 * Await an openapi-fetch call and give its data, or throw an ApiError: the server's error
 * envelope, or `network_error` when no response came.
 */
export async function unwrap<R extends Result>(call: Promise<R>): Promise<Data<R>> {
  let result: R;
  try {
    result = await call;
  } catch (cause) {
    throw networkError(cause);
  }
  if (result.error !== undefined || !result.response.ok) {
    throw toApiError(result.response.status, result.error);
  }
  return result.data as Data<R>;
}
