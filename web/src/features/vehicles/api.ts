import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  type InfiniteData,
  type QueryClient,
} from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";
import type { QueuedMutationDefinition } from "@/lib/offline";
import type { SearchListPage } from "@/lib/search";
import type { FacetSelection } from "@/lib/useFacetCounts";
import { ACTIVITIES, type Activity } from "@/lib/vehicleStatus";

import { overviewRecordFilters, searchesFor, vehicleSearchPage, type LiveQuery } from "./listSource";

export type Vehicle = Schemas["Vehicle"];
export type VehicleType = Schemas["VehicleType"];
export type VehicleWithState = Schemas["VehicleWithState"];
export type AuditEvent = Schemas["EventRead"];
export type Alert = Schemas["Alert"];
export type Group = Schemas["Group"];
export type VehicleStatus = "active" | "in_maintenance" | "retired";
export type FuelType = Schemas["FuelType"];
export type VehiclePage = Schemas["Page_Vehicle_"];
/** A vehicle with its live context: activity, last fix, place, driver, tracker. */
export type VehicleOverview = Schemas["VehicleOverview"];
export type VehicleOverviewPage = Schemas["Page_VehicleOverview_"];
export type Place = NonNullable<VehicleOverview["place"]>;
export type TrackerProtocol = Schemas["DeviceProtocol"];
export type DriverChoice = Pick<Schemas["Driver"], "id" | "name">;
export type VehicleTelemetry = Schemas["VehicleTelemetry"];
export type TelemetryBucket = Schemas["TelemetryBucket"];

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
export const FUEL_TYPES: readonly FuelType[] = [
  "petrol",
  "diesel",
  "electric",
  "hybrid",
  "plugin_hybrid",
  "cng",
  "lpg",
  "hydrogen",
  "none",
  "other",
];
export const TRACKER_PROTOCOLS: readonly TrackerProtocol[] = ["teltonika", "gt06", "h02", "osmand", "other"];
export { ACTIVITIES, type Activity };

export const PAGE_SIZE = 200;
/** The list's live context (activity, place) is fetched again this often while it is shown. */
export const OVERVIEW_REFRESH_MS = 30_000;
/** …while at most this many pages are loaded: refreshing thousands of rows every 30 s costs
 * the server more than it tells (those refresh on focus and on record events instead). */
export const OVERVIEW_REFRESH_PAGES = 2;

/** A driver or tracker filter that is not one record: with one, or without any. */
export const WITH_ANY = "any";
export const WITHOUT = "none";

export interface VehicleFilters {
  /** Searched through the search API (typos forgiven). */
  q?: string;
  /** Values chosen per facet (status, type, make, model, group_id), each "any of". */
  facets: FacetSelection;
  activity?: Activity;
  /** A driver's id, WITH_ANY or WITHOUT. */
  driver?: string;
  /** A tracker protocol, WITH_ANY or WITHOUT. */
  tracker?: string;
  sort?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function driverQuery(driver: string | undefined) {
  if (driver === WITH_ANY) return { has_driver: true };
  if (driver === WITHOUT) return { has_driver: false };
  return driver && UUID.test(driver) ? { driver_id: driver } : {}; // a mangled link filters nothing
}

function trackerQuery(tracker: string | undefined) {
  if (tracker === WITH_ANY) return { has_tracker: true };
  if (tracker === WITHOUT) return { has_tracker: false };
  const protocol = TRACKER_PROTOCOLS.find((p) => p === tracker);
  return protocol ? { tracker_protocol: protocol } : {};
}

const KNOWN = { statuses: VEHICLE_STATUSES, types: VEHICLE_TYPES };

/** The live filters as the overview endpoint's query parameters (empty ones left out). */
function liveQuery(filters: VehicleFilters): LiveQuery {
  return {
    activity: filters.activity ? [filters.activity] : undefined,
    ...driverQuery(filters.driver),
    ...trackerQuery(filters.tracker),
  };
}

/** The list reads search hits (text, a make or model, several values of a facet), or the overview. */
export function listSearches(filters: VehicleFilters): boolean {
  return searchesFor(filters, KNOWN);
}

/** The filters as the overview endpoint's query parameters (empty ones left out). */
export function vehicleListQuery(filters: VehicleFilters, cursor: string | null) {
  return {
    ...overviewRecordFilters(filters.facets, KNOWN),
    ...liveQuery(filters),
    sort: filters.sort || "plate",
    cursor: cursor ?? undefined,
    limit: PAGE_SIZE,
  };
}

/** A page of the list: the overview's, or search hits with their live context and `total`. */
export type VehicleListPage = VehicleOverviewPage | SearchListPage<VehicleOverview>;

const vehiclesKey = ["vehicles"] as const;

/**
 * The vehicles list with each vehicle's live context, a page (cursor) at a time as the table
 * scrolls; fetched again every OVERVIEW_REFRESH_MS while short (activity and places move on),
 * and when the live feed says a vehicle changed (it invalidates everything under "vehicles").
 * With text or facet choices the overview can't filter by, the pages are search hits.
 */
export function vehicleListQueryOptions(filters: VehicleFilters) {
  const searching = listSearches(filters);
  return infiniteQueryOptions({
    queryKey: [...vehiclesKey, "list", filters],
    queryFn: ({ pageParam, signal }): Promise<VehicleListPage> =>
      searching
        ? vehicleSearchPage(filters, liveQuery(filters), pageParam, signal)
        : unwrap(
            api.GET("/api/v1/vehicles/overview", {
              params: { query: vehicleListQuery(filters, pageParam) },
              signal,
            }),
          ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: (query) =>
      (query.state.data?.pages.length ?? 0) <= OVERVIEW_REFRESH_PAGES ? OVERVIEW_REFRESH_MS : false,
  });
}

/** One vehicle's live context (where it is, its driver and tracker), kept fresh like the list. */
export function vehicleOverviewQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: [...vehiclesKey, "overview", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/vehicles/{vehicle_id}/overview", {
          params: { path: { vehicle_id: vehicleId } },
          signal,
        }),
      ),
    refetchInterval: OVERVIEW_REFRESH_MS,
  });
}

/** Active drivers to filter the list by (the first 500 by name). */
export function vehicleDriversQueryOptions() {
  return queryOptions({
    queryKey: ["drivers", "picker", "active"],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/drivers", {
          params: { query: { status: "active", sort: "name", limit: 500 } },
          signal,
        }),
      ),
    select: (page): DriverChoice[] => page.items.map(({ id, name }) => ({ id, name })),
    staleTime: 5 * 60_000,
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

/**
 * The telemetry charts' windows. Each asks for as many buckets as keeps one bucket wider than
 * a tracker's usual report interval (a minute at most), so a moving vehicle draws a line and
 * not a row of dots: a bucket with no fix is a gap.
 */
export const TELEMETRY_WINDOWS = [
  { id: "1h", label: "1 h", hours: 1, buckets: 60 },
  { id: "6h", label: "6 h", hours: 6, buckets: 120 },
  { id: "24h", label: "24 h", hours: 24, buckets: 144 },
] as const;
export type TelemetryWindow = (typeof TELEMETRY_WINDOWS)[number]["id"];
export const TELEMETRY_REFRESH_MS = 30_000;

/** Speed and engine readings over the last hours, in buckets; refreshed while on screen. */
export function vehicleTelemetryQueryOptions(vehicleId: string, window: TelemetryWindow) {
  const { hours, buckets } = TELEMETRY_WINDOWS.find((w) => w.id === window) ?? TELEMETRY_WINDOWS[0];
  return queryOptions({
    queryKey: [...vehiclesKey, "telemetry", vehicleId, window],
    queryFn: ({ signal }) => {
      const to = new Date();
      const from = new Date(to.getTime() - hours * 3_600_000);
      return unwrap(
        api.GET("/api/v1/vehicles/{vehicle_id}/telemetry", {
          params: {
            path: { vehicle_id: vehicleId },
            query: { from: from.toISOString(), to: to.toISOString(), buckets },
          },
          signal,
        }),
      );
    },
    refetchInterval: TELEMETRY_REFRESH_MS,
    // Switching windows keeps the last charts on screen until the new ones arrive.
    placeholderData: keepPreviousData,
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

// Changes go through the offline queue (src/lib/offline): stored, applied here at once, sent
// with an Idempotency-Key when the network allows, the record's version guarding each one.

/** The fields an edit sets (only those that changed). */
export type VehicleChanges = Omit<Schemas["VehicleUpdate"], "version">;

export interface VehicleEdit {
  vehicleId: string;
  /** The version the edit was made on. */
  version: number;
  changes: VehicleChanges;
  /** For the change's label. */
  plate: string;
}

interface VehicleUndo {
  before: Partial<Vehicle>;
}

function patchVehicle(client: QueryClient, vehicleId: string, fields: Partial<Vehicle>): void {
  const apply = <V extends Vehicle>(vehicle: V): V => ({ ...vehicle, ...fields });
  client.setQueryData<Vehicle>(vehicleQueryOptions(vehicleId).queryKey, (vehicle) =>
    vehicle ? apply(vehicle) : vehicle,
  );
  client.setQueriesData<InfiniteData<VehicleOverviewPage>>({ queryKey: [...vehiclesKey, "list"] }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((v) => (v.id === vehicleId ? apply(v) : v)),
          })),
        }
      : data,
  );
}

export const updateVehicleMutation: QueuedMutationDefinition<VehicleEdit, VehicleUndo> = {
  kind: "vehicles.update",
  request: ({ vehicleId, version, changes }) => ({
    method: "PATCH",
    path: `/api/v1/vehicles/${vehicleId}`,
    body: { ...changes, version },
  }),
  label: ({ plate }) => `Edit vehicle ${plate}`,
  entity: ({ vehicleId }) => ({
    type: "vehicle",
    id: vehicleId,
    read: `/api/v1/vehicles/${vehicleId}`,
  }),
  invalidates: () => [[...vehiclesKey]],
  onQueue: (client, { vehicleId, changes }) => {
    const current = client.getQueryData<Vehicle>(vehicleQueryOptions(vehicleId).queryKey);
    const before = Object.fromEntries(
      Object.keys(changes).map((field) => [field, current?.[field as keyof Vehicle] ?? null]),
    ) as Partial<Vehicle>;
    patchVehicle(client, vehicleId, changes as Partial<Vehicle>);
    return { before };
  },
  onDiscard: (client, { vehicleId }, undo) => {
    if (undo) patchVehicle(client, vehicleId, undo.before);
  },
  // The saved record (its new version) at once, so the next edit starts from it.
  onSynced: (client, { vehicleId }, saved) => patchVehicle(client, vehicleId, saved as Vehicle),
};

export interface AlertAcknowledgement {
  alertId: string;
  vehicleId: string;
  message: string;
}

function patchAlert(client: QueryClient, { alertId, vehicleId }: AlertAcknowledgement, fields: Partial<Alert>) {
  client.setQueryData(vehicleAlertsQueryOptions(vehicleId).queryKey, (page) =>
    page ? { ...page, items: page.items.map((a) => (a.id === alertId ? { ...a, ...fields } : a)) } : page,
  );
}

/** "Seen it": the server records it once, however often it is sent. */
export const acknowledgeAlertMutation: QueuedMutationDefinition<AlertAcknowledgement> = {
  kind: "alerts.acknowledge",
  request: ({ alertId }) => ({ method: "POST", path: `/api/v1/alerts/${alertId}/acknowledge` }),
  label: ({ message }) => `Acknowledge alert: ${message}`,
  entity: ({ alertId }) => ({ type: "alert", id: alertId }),
  invalidates: ({ vehicleId }) => [vehicleAlertsQueryOptions(vehicleId).queryKey],
  onQueue: (client, vars) => patchAlert(client, vars, { acknowledged_at: new Date().toISOString() }),
  onDiscard: (client, vars) => patchAlert(client, vars, { acknowledged_at: null, acknowledged_by: null }),
};

export const vehicleMutations = [updateVehicleMutation, acknowledgeAlertMutation];
