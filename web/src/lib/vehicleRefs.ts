import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./api";

/**
 * Vehicles as other screens refer to them (a driver's assigned vehicle, an alert's, a
 * device's): one by id, or a few matching what is typed. The detail shares its cache key with
 * the vehicles screen's own query, so a vehicle fetched by either is there for both.
 */
export function vehicleRefQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: ["vehicles", "detail", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/vehicles/{vehicle_id}", {
          params: { path: { vehicle_id: vehicleId } },
          signal,
        }),
      ),
    staleTime: 5 * 60_000,
  });
}

export const VEHICLE_CHOICES = 25;

export function vehicleSearchQueryOptions(text: string) {
  const q = text.trim();
  return queryOptions({
    queryKey: ["vehicles", "lookup", q],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/vehicles", {
          params: { query: { q: q || undefined, sort: "plate", limit: VEHICLE_CHOICES } },
          signal,
        }),
      ),
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

export function vehicleLabel(vehicle: { plate: string | null; name: string | null }): string {
  if (vehicle.plate && vehicle.name) return `${vehicle.plate} · ${vehicle.name}`;
  return vehicle.plate || vehicle.name || "(unnamed vehicle)";
}
