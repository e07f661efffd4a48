/**
 * Webhooks (`/api/v1/webhooks`, owner and admin: `webhooks:manage`) through the generated
 * client. A server without the webhooks API answers the list with 404, and the section then
 * hides itself.
 */
import {
  infiniteQueryOptions,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Webhook = Schemas["Webhook"];
/** The create and rotate answers: the signing secret, shown this once. */
export type WebhookWithSecret = Schemas["WebhookWithSecret"];
export type WebhookCreate = Partial<Schemas["WebhookCreate"]> &
  Pick<Schemas["WebhookCreate"], "url" | "event_types">;
/** Only the fields sent change; none of them may be null. */
export interface WebhookUpdate {
  version: number;
  url?: string;
  event_types?: string[];
  description?: string;
  active?: boolean;
}
export type DeliveryStatus = Schemas["DeliveryStatus"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "succeeded", "failed"];

export { ALL_EVENTS, type EventTypeInfo } from "./eventTypes";

const webhooksKey = ["webhooks"] as const;
const listKey = [...webhooksKey, "list"] as const;
const deliveriesKey = (webhookId: string) => [...webhooksKey, "deliveries", webhookId] as const;

/** The event types the server writes, with their labels (they change only with a release). */
export function eventTypesQueryOptions() {
  return queryOptions({
    queryKey: ["events", "types"],
    queryFn: async ({ signal }) => unwrap(api.GET("/api/v1/events/types", { signal })),
    staleTime: Infinity,
  });
}

export function webhooksQueryOptions() {
  return queryOptions({
    queryKey: listKey,
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/v1/webhooks", { params: { query: { limit: 500 } }, signal })))
        .items,
  });
}

export function webhookDeliveriesQueryOptions(webhookId: string, status: DeliveryStatus | undefined) {
  return infiniteQueryOptions({
    queryKey: [...deliveriesKey(webhookId), status ?? "all"],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/webhooks/{webhook_id}/deliveries", {
          params: {
            path: { webhook_id: webhookId },
            query: { status, cursor: pageParam ?? undefined, limit: 50 },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function useCreateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookCreate) =>
      unwrap(
        api.POST("/api/v1/webhooks", {
          body: { description: "", active: true, ...body },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

/** `body.version` guards against lost updates: a newer one answers 409 `version_conflict`. */
export function useUpdateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: WebhookUpdate }) =>
      unwrap(
        api.PATCH("/api/v1/webhooks/{webhook_id}", { params: { path: { webhook_id: id } }, body }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

export function useDeleteWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version }: { id: string; version: number }) =>
      unwrap(
        api.DELETE("/api/v1/webhooks/{webhook_id}", {
          params: { path: { webhook_id: id }, header: { "If-Match": `"${version}"` } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

/** The old secret stops at once (the API's default). */
export function useRotateWebhookSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/v1/webhooks/{webhook_id}/rotate-secret", {
          params: { path: { webhook_id: id } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

export function usePingWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/v1/webhooks/{webhook_id}/ping", { params: { path: { webhook_id: id } } }),
      ),
    onSuccess: (_, id) => client.invalidateQueries({ queryKey: deliveriesKey(id) }),
  });
}

export function useRedeliverWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ webhookId, deliveryId }: { webhookId: string; deliveryId: string }) =>
      unwrap(
        api.POST("/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", {
          params: { path: { webhook_id: webhookId, delivery_id: deliveryId } },
        }),
      ),
    onSuccess: (_, { webhookId }) => client.invalidateQueries({ queryKey: deliveriesKey(webhookId) }),
  });
}
