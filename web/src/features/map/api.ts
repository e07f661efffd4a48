import { queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";
import { liveKeys, type Alert, type FleetState } from "@/lib/live";

export type MapConfig = Schemas["MapConfig"];
export type VehicleWithState = Schemas["VehicleWithState"];
export type VehicleHealth = Schemas["VehicleHealth"];
export type Driver = Schemas["Driver"];
export type Position = Schemas["Position"];
export type { Alert, FleetState };

const FLEET_PAGE = 1000;
const ALERT_PAGE = 500;
const TRACK_PAGE = 5000;
/** A replay draws at most this many fixes (a day of one fix a second is ~86k: ask less). */
export const TRACK_MAX_POINTS = 50_000;

/** Every page of a cursor-paged endpoint, one after another. */
async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>,
  max = Infinity,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    items.push(...answer.items);
    cursor = answer.next_cursor ?? undefined;
  } while (cursor && items.length < max);
  return items;
}

/** The style to draw (the app's offline basemap unless the operator named another) and its bounds. */
export function mapConfigQueryOptions() {
  return queryOptions({
    queryKey: ["map", "config"],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/map", { signal })),
    staleTime: Infinity,
  });
}

/** Every vehicle of the tenant with its latest state; the live feed keeps it current. */
export function fleetStateQueryOptions() {
  return queryOptions({
    queryKey: liveKeys.fleetState(),
    queryFn: ({ signal }): Promise<FleetState> =>
      allPages((cursor) =>
        unwrap(
          api.GET("/api/v1/fleet/state", { params: { query: { cursor, limit: FLEET_PAGE } }, signal }),
        ),
      ),
    staleTime: Infinity, // live: the socket keeps it, a resync refetches it
    // The feed already shares every vehicle that didn't change: a deep compare of the whole
    // fleet on every frame would cost more than it saves.
    structuralSharing: false,
  });
}

/** The tenant's open alerts; the live feed adds and removes them. */
export function openAlertsQueryOptions() {
  return queryOptions({
    queryKey: liveKeys.openAlerts(),
    queryFn: ({ signal }): Promise<Alert[]> =>
      allPages((cursor) =>
        unwrap(
          api.GET("/api/v1/alerts", {
            params: { query: { state: "open", cursor, limit: ALERT_PAGE } },
            signal,
          }),
        ),
      ),
    staleTime: Infinity,
  });
}

/** One vehicle's latest fix and readings (kept current by the live feed too). */
export function vehicleStateQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: liveKeys.vehicleState(vehicleId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/vehicles/{vehicle_id}/state", {
          params: { path: { vehicle_id: vehicleId } },
          signal,
        }),
      ),
  });
}

/** The vehicle's health score and why it is what it is. */
export function vehicleHealthQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: ["vehicles", "health", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/vehicles/{vehicle_id}/health", {
          params: { path: { vehicle_id: vehicleId } },
          signal,
        }),
      ),
    staleTime: 60_000,
  });
}

/** The drivers assigned to the vehicle. */
export function vehicleDriversQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: ["drivers", "assigned", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/drivers", {
          params: { query: { assigned_vehicle_id: vehicleId, limit: 20 } },
          signal,
        }),
      ),
  });
}

export interface TrackWindow {
  vehicleId: string;
  /** ISO 8601, inclusive */
  from: string;
  /** ISO 8601, exclusive */
  to: string;
}

/** The vehicle's valid fixes in the window, oldest first. */
export function trackQueryOptions(window: TrackWindow) {
  return queryOptions({
    queryKey: ["positions", "track", window],
    queryFn: ({ signal }): Promise<Position[]> =>
      allPages(
        (cursor) =>
          unwrap(
            api.GET("/api/v1/positions", {
              params: {
                query: {
                  vehicle_id: window.vehicleId,
                  from: window.from,
                  to: window.to,
                  valid_only: true,
                  cursor,
                  limit: TRACK_PAGE,
                },
              },
              signal,
            }),
          ) as Promise<Schemas["Page_Position_"]>, // JSON pages (the default format)
        TRACK_MAX_POINTS,
      ),
    staleTime: 5 * 60_000,
  });
}
