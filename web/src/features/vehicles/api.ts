import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Vehicle = Schemas["Vehicle"];
export type VehicleType = Schemas["VehicleType"];
export type VehicleWithState = Schemas["VehicleWithState"];
export type AuditEvent = Schemas["EventRead"];
export type Alert = Schemas["Alert"];
export type Group = Schemas["Group"];
export type VehicleStatus = "active" | "in_maintenance" | "retired";

export const VEHICLE_STATUSES: readonly VehicleStatus[] = ["active", "in_maintenance", "retired"];
export const VEHICLE_TYPES: readonly VehicleType[] = [
  "car",
  "van",
  "pickup",
  "truck",
  "heavy_truck",
  "bus",
  "motorcycle",
  "trailer",
  "equipment",
  "other",
];
/** Fields the API sorts vehicles by ('-' prefix: descending). */
export const VEHICLE_SORT_FIELDS = ["plate", "name", "make", "year", "odometer_km", "updated_at"];

export const PAGE_SIZE = 200;

export interface VehicleFilters {
  q?: string;
  status?: VehicleStatus;
  type?: VehicleType;
  groupId?: string;
  sort?: string;
}

/** The filters as the list endpoint's query parameters (empty ones left out). */
export function vehicleListQuery(filters: VehicleFilters, cursor: string | null) {
  return {
    q: filters.q?.trim() || undefined,
    status: filters.status,
    type: filters.type,
    group_id: filters.groupId,
    sort: filters.sort || "plate",
    cursor: cursor ?? undefined,
    limit: PAGE_SIZE,
  };
}

const vehiclesKey = ["vehicles"] as const;

/** The vehicles list, a page (cursor) at a time as the table scrolls. */
export function vehicleListQueryOptions(filters: VehicleFilters) {
  return infiniteQueryOptions({
    queryKey: [...vehiclesKey, "list", filters],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/vehicles", {
          params: { query: vehicleListQuery(filters, pageParam) },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function vehicleQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: [...vehiclesKey, "detail", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/vehicles/{vehicle_id}", {
          params: { path: { vehicle_id: vehicleId } },
          signal,
        }),
      ),
  });
}

/** The vehicle's latest fix and readings (`state` is null before its first fix). */
export function vehicleStateQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: [...vehiclesKey, "state", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/vehicles/{vehicle_id}/state", {
          params: { path: { vehicle_id: vehicleId } },
          signal,
        }),
      ),
  });
}

/** The vehicle's audit trail, newest first. */
export function vehicleEventsQueryOptions(vehicleId: string) {
  return infiniteQueryOptions({
    queryKey: [...vehiclesKey, "events", vehicleId],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/events", {
          params: {
            query: {
              entity_type: "vehicle",
              entity_id: vehicleId,
              cursor: pageParam ?? undefined,
              limit: 50,
            },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/** Alerts raised for the vehicle, newest first (open and cleared). */
export function vehicleAlertsQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: [...vehiclesKey, "alerts", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/alerts", {
          params: { query: { vehicle_id: vehicleId, limit: 50 } },
          signal,
        }),
      ),
  });
}

/** Groups to filter the list by (the first 500 by name are plenty for a picker). */
export function vehicleGroupsQueryOptions() {
  return queryOptions({
    queryKey: ["groups", "picker"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/groups", { params: { query: { sort: "name", limit: 500 } }, signal })),
    staleTime: 5 * 60_000,
  });
}
