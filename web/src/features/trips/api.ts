import { queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Trip = Schemas["Trip"];
export type TripDetail = Schemas["TripDetail"];
export type Stop = Schemas["Stop"];
export type DrivingEvent = Schemas["DrivingEvent"];
export type Place = Schemas["Point"];

const PAGE = 500;
/** A window's trips, stops or events: more than this many pages is not a timeline to read. */
const MAX_PAGES = 10;

/** Every page of a cursor-paged endpoint, one after another (a week of trips is one page). */
async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const answer = await page(cursor);
    items.push(...answer.items);
    cursor = answer.next_cursor ?? undefined;
    pages += 1;
  } while (cursor && pages < MAX_PAGES);
  return items;
}

export interface TripWindow {
  vehicleId: string;
  /** ISO date-times with offset */
  from: string;
  to: string;
}

export const tripKeys = {
  all: ["trips"] as const,
  trips: (w: TripWindow) => ["trips", "list", w.vehicleId, w.from, w.to] as const,
  stops: (w: TripWindow) => ["trips", "stops", w.vehicleId, w.from, w.to] as const,
  events: (w: TripWindow) => ["trips", "events", w.vehicleId, w.from, w.to] as const,
  trip: (id: string) => ["trips", "detail", id] as const,
};

export function tripsQueryOptions(w: TripWindow) {
  return queryOptions({
    queryKey: tripKeys.trips(w),
    queryFn: ({ signal }) =>
      allPages((cursor) =>
        unwrap(
          api.GET("/api/v1/trips", {
            params: { query: { vehicle_id: w.vehicleId, from: w.from, to: w.to, limit: PAGE, cursor } },
            signal,
          }),
        ),
      ),
  });
}

export function stopsQueryOptions(w: TripWindow) {
  return queryOptions({
    queryKey: tripKeys.stops(w),
    queryFn: ({ signal }) =>
      allPages((cursor) =>
        unwrap(
          api.GET("/api/v1/stops", {
            params: { query: { vehicle_id: w.vehicleId, from: w.from, to: w.to, limit: PAGE, cursor } },
            signal,
          }),
        ),
      ),
  });
}

/** The vehicle's driving events in the window (drawn along the selected trip). */
export function drivingEventsQueryOptions(w: TripWindow) {
  return queryOptions({
    queryKey: tripKeys.events(w),
    queryFn: ({ signal }) =>
      allPages((cursor) =>
        unwrap(
          api.GET("/api/v1/driving-events", {
            params: { query: { vehicle_id: w.vehicleId, from: w.from, to: w.to, limit: PAGE, cursor } },
            signal,
          }),
        ),
      ),
  });
}

/** One trip with its track (GeoJSON). A completed trip never changes but by a late fix: keep it. */
export function tripQueryOptions(tripId: string) {
  return queryOptions({
    queryKey: tripKeys.trip(tripId),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/trips/{trip_id}", { params: { path: { trip_id: tripId } }, signal })),
    staleTime: 60_000,
  });
}

/** A driver's name for a trip's line (the record itself belongs to the drivers screen). */
export function driverNameQueryOptions(driverId: string) {
  return queryOptions({
    queryKey: ["trips", "driver-name", driverId],
    queryFn: async ({ signal }) => {
      const driver = await unwrap(
        api.GET("/api/v1/drivers/{driver_id}", { params: { path: { driver_id: driverId } }, signal }),
      );
      return driver.name;
    },
    staleTime: 5 * 60_000,
  });
}
