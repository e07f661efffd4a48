/**
 * Webhooks: a hand-written client for an API still being built on another branch
 * (`/api/v1/webhooks`), written against the shape agreed for it. It is not in this branch's
 * OpenAPI schema, so these types and calls are ours for now.
 *
 * TODO(webhooks): once the webhooks API is merged, regenerate the client
 * (`npm run api:generate`), replace the types below with `Schemas["Webhook…"]` and each
 * request with `unwrap(api.GET("/api/v1/webhooks", …))` and friends, and delete `request()`.
 * The hooks' names and signatures stay, so the components don't change.
 *
 * Until then the section hides itself when `GET /api/v1/webhooks` answers 404. The shape is
 * the webhooks branch's as it stands; its `webhooks:manage` permission (owner and admin)
 * then joins src/lib/roles.json (tests/web/test_roles_table.py will ask for it).
 */
import {
  infiniteQueryOptions,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";

import { csrfToken, CSRF_HEADER } from "@/lib/api/csrf";
import { networkError, toApiError } from "@/lib/api/errors";

export interface Webhook {
  id: string;
  version: number;
  url: string;
  /** Empty when none. */
  description: string;
  /** Event types (`vehicle_created`, …), or `["*"]` for every one. */
  event_types: string[];
  active: boolean;
  created_at: string;
  updated_at: string;
}

/** The create and rotate answers: the signing secret, shown this once. */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

export interface WebhookCreate {
  url: string;
  event_types: string[];
  description?: string;
  active?: boolean;
}

/** Only the fields sent change; none of them may be null. */
export interface WebhookUpdate {
  version: number;
  url?: string;
  event_types?: string[];
  description?: string;
  active?: boolean;
}

export type DeliveryStatus = "pending" | "succeeded" | "failed";
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "succeeded", "failed"];

export interface WebhookDelivery {
  id: string;
  webhook_id: string;
  /** Null for a ping. */
  event_id: number | null;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  /** The last attempt's HTTP status, and the first 1 KiB of its answer. */
  response_status: number | null;
  response_body: string | null;
  /** Why the last attempt did not succeed. */
  error: string | null;
  duration_ms: number | null;
  redelivery_of: string | null;
  created_at: string;
  payload: Record<string, unknown>;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Every event type; it can't be combined with others. */
export const ALL_EVENTS = "*";

/** Event types offered as choices; `*` is every event. The API is the judge of the list. */
export const EVENT_TYPE_SUGGESTIONS = [
  "*",
  "vehicle_created",
  "vehicle_updated",
  "vehicle_deleted",
  "driver_created",
  "driver_updated",
  "driver_deleted",
  "device_created",
  "device_updated",
  "device_deleted",
  "alert_opened",
  "alert_cleared",
  "alert_acknowledged",
  "reservation_created",
  "reservation_updated",
  "reservation_deleted",
];

const BASE = "/api/v1/webhooks";

type Query = Record<string, string | number | undefined>;

/** Same origin, cookie session, CSRF on unsafe methods, the error envelope as ApiError.
 * A secret is rotated with no grace period (the API's default: the old one stops at once). */
async function request<T>(
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  init: { query?: Query; body?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<T> {
  const url = new URL(BASE + path, location.origin);
  for (const [key, value] of Object.entries(init.query ?? {})) {
    if (value !== undefined && value !== "") url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { Accept: "application/json", ...init.headers };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const token = method === "GET" ? null : csrfToken();
  if (token) headers[CSRF_HEADER] = token;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (cause) {
    throw networkError(cause);
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) throw toApiError(response.status, parsed);
  return parsed as T;
}

/** A list may come as a page or a bare array; either way, its items. */
function items<T>(body: Page<T> | T[]): T[] {
  return Array.isArray(body) ? body : body.items;
}

const webhooksKey = ["webhooks"] as const;
const listKey = [...webhooksKey, "list"] as const;

export function webhooksQueryOptions() {
  return queryOptions({
    queryKey: listKey,
    queryFn: async ({ signal }) =>
      items(await request<Page<Webhook> | Webhook[]>("GET", "", { query: { limit: 500 }, signal })),
  });
}

export function webhookDeliveriesQueryOptions(webhookId: string, status: DeliveryStatus | undefined) {
  return infiniteQueryOptions({
    queryKey: [...webhooksKey, "deliveries", webhookId, status ?? "all"],
    queryFn: ({ pageParam, signal }) =>
      request<Page<WebhookDelivery>>("GET", `/${encodeURIComponent(webhookId)}/deliveries`, {
        query: { status, cursor: pageParam ?? undefined, limit: 50 },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

const path = (id: string) => `/${encodeURIComponent(id)}`;

export function useCreateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookCreate) => request<WebhookWithSecret>("POST", "", { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

/** `body.version` guards against lost updates: a newer one answers 409 `version_conflict`. */
export function useUpdateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: WebhookUpdate }) =>
      request<Webhook>("PATCH", path(id), { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

export function useDeleteWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version }: { id: string; version: number }) =>
      request<void>("DELETE", path(id), { headers: { "If-Match": `"${version}"` } }),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

export function useRotateWebhookSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<WebhookWithSecret>("POST", `${path(id)}/rotate-secret`),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

export function usePingWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<WebhookDelivery>("POST", `${path(id)}/ping`),
    onSuccess: (_, id) =>
      client.invalidateQueries({ queryKey: [...webhooksKey, "deliveries", id] }),
  });
}

export function useRedeliverWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ webhookId, deliveryId }: { webhookId: string; deliveryId: string }) =>
      request<WebhookDelivery>(
        "POST",
        `${path(webhookId)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`,
      ),
    onSuccess: (_, { webhookId }) =>
      client.invalidateQueries({ queryKey: [...webhooksKey, "deliveries", webhookId] }),
  });
}
