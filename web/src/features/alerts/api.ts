import { infiniteQueryOptions, queryOptions, type InfiniteData, type QueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";
import type { QueuedMutationDefinition } from "@/lib/offline";

export type Alert = Schemas["Alert"];
export type Severity = Schemas["Severity"];
export type AlertStateFilter = "open" | "cleared" | "all";
type AlertPage = Schemas["Page_Alert_"];

export const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];
export const STATE_FILTERS: readonly AlertStateFilter[] = ["open", "cleared", "all"];
export const PAGE_SIZE = 100;

const thisYear = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
const anyYear = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A moment said briefly: "12 Mar, 14:05" this year (in the reader's locale), with the year otherwise. */
export function formatMoment(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (date.getFullYear() === now.getFullYear() ? thisYear : anyYear).format(date);
}

/** "Acknowledged by Anna Virtanen, 12 Mar, 14:05" (the name when the server knows it). */
export function acknowledgedText(alert: Pick<Alert, "acknowledged_at" | "acknowledged_by_name">, now?: Date): string {
  const when = formatMoment(alert.acknowledged_at, now);
  return alert.acknowledged_by_name ? `Acknowledged by ${alert.acknowledged_by_name}, ${when}` : `Acknowledged ${when}`;
}
/** The nav badge counts up to this many; past it, it shows "99+". */
export const BADGE_LIMIT = 99;

export interface AlertFilters {
  state: AlertStateFilter;
  severity?: Severity;
  vehicleId?: string;
  acknowledged?: "yes" | "no";
}

/** The filters as the list endpoint's query parameters; critical first, then newest first. */
export function alertListQuery(filters: AlertFilters, cursor: string | null) {
  return {
    sort: "severity" as const,
    state: filters.state,
    severity: filters.severity,
    vehicle_id: filters.vehicleId,
    acknowledged: filters.acknowledged === undefined ? undefined : filters.acknowledged === "yes",
    cursor: cursor ?? undefined,
    limit: PAGE_SIZE,
  };
}

const alertsKey = ["alerts"] as const;
const listKey = [...alertsKey, "list"] as const;
const countKey = [...alertsKey, "open-unacknowledged-count"] as const;

export function alertListQueryOptions(filters: AlertFilters) {
  return infiniteQueryOptions({
    queryKey: [...listKey, filters],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/alerts", { params: { query: alertListQuery(filters, pageParam) }, signal }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/** How many open alerts nobody has acknowledged yet (the nav badge), polled every minute. */
export function openAlertCountQueryOptions() {
  return queryOptions({
    queryKey: countKey,
    queryFn: async ({ signal }) => {
      const page = await unwrap(
        api.GET("/api/v1/alerts", {
          params: { query: { state: "open", acknowledged: false, limit: BADGE_LIMIT + 1 } },
          signal,
        }),
      );
      return { count: Math.min(page.items.length, BADGE_LIMIT), more: page.items.length > BADGE_LIMIT };
    },
    refetchInterval: 60_000,
    staleTime: 15_000,
  });
}

function patchAlert(client: QueryClient, alertId: string, fields: Partial<Alert>) {
  client.setQueriesData<InfiniteData<AlertPage>>({ queryKey: listKey }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((item) => (item.id === alertId ? { ...item, ...fields } : item)),
          })),
        }
      : data,
  );
}

export interface InboxAcknowledgement {
  alertId: string;
  message: string;
}

/**
 * "Seen it", from the inbox, through the offline queue: shown at once, sent when the network
 * allows (one request per alert, so each can be retried alone); the server records it once.
 */
export const acknowledgeInboxAlertMutation: QueuedMutationDefinition<InboxAcknowledgement> = {
  kind: "alerts.acknowledge-inbox",
  request: ({ alertId }) => ({ method: "POST", path: `/api/v1/alerts/${alertId}/acknowledge` }),
  label: ({ message }) => `Acknowledge alert: ${message}`,
  entity: ({ alertId }) => ({ type: "alert", id: alertId }),
  invalidates: () => [[...alertsKey]],
  onQueue: (client, { alertId }) => patchAlert(client, alertId, { acknowledged_at: new Date().toISOString() }),
  onDiscard: (client, { alertId }) =>
    patchAlert(client, alertId, { acknowledged_at: null, acknowledged_by: null, acknowledged_by_name: null }),
  onSynced: (client, { alertId }, saved) => patchAlert(client, alertId, saved as Alert),
};

export const alertMutations = [acknowledgeInboxAlertMutation];
