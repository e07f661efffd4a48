import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type WorkOrder = Schemas["WorkOrder"];
export type WorkOrderLine = Schemas["WorkOrderLine"];
export type WorkOrderStatus = Schemas["WorkOrderStatus"];
export type WorkOrderKind = Schemas["WorkOrderKind"];
export type Component = Schemas["Component"];
export type Priority = Schemas["Priority"];
export type Part = Schemas["Part"];

export const PAGE_SIZE = 100;
export const workOrdersKey = ["work-orders"] as const;

export const STATUSES: readonly WorkOrderStatus[] = ["open", "in_progress", "completed", "cancelled"];
export const KINDS: readonly WorkOrderKind[] = ["preventive", "corrective", "breakdown"];
export const COMPONENTS: readonly Component[] = [
  "battery",
  "brakes",
  "engine_cooling",
  "tyres",
  "engine",
  "transmission",
  "electrical",
  "other",
];
export const PRIORITIES: readonly Priority[] = ["low", "normal", "high", "urgent"];

export interface WorkOrderFilters {
  status?: WorkOrderStatus;
  kind?: WorkOrderKind;
  component?: Component;
  vehicle_id?: string;
}

export function workOrderListQueryOptions(filters: WorkOrderFilters) {
  return infiniteQueryOptions({
    queryKey: [...workOrdersKey, "list", filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/work-orders", {
          params: { query: { ...filters, sort: "-created_at", limit: PAGE_SIZE, cursor: pageParam ?? undefined } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function workOrderQueryOptions(id: string) {
  return queryOptions({
    queryKey: [...workOrdersKey, "detail", id],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/work-orders/{work_order_id}", { params: { path: { work_order_id: id } }, signal })),
  });
}

/** Parts in stock, for picking a part line (the first page: a simple stock). */
export function partsQueryOptions() {
  return queryOptions({
    queryKey: ["parts", "list"],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/parts", { params: { query: { limit: 200 } }, signal })),
  });
}
