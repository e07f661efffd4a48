import {
  infiniteQueryOptions,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";
import { addDays, daysBetween, today } from "@/lib/dates";

export type Driver = Schemas["Driver"];
export type DriverCreate = Schemas["DriverCreate"];
export type DriverUpdate = Schemas["DriverUpdate"];
export type DriverStatus = Schemas["DriverStatus"];

export const DRIVER_STATUSES: readonly DriverStatus[] = ["active", "inactive", "suspended"];
export const PAGE_SIZE = 200;
/** A licence that expires within this many days is flagged. */
export const LICENCE_WARNING_DAYS = 30;

export interface DriverFilters {
  q?: string;
  status?: DriverStatus;
  /** Only licences that are expired or expire within LICENCE_WARNING_DAYS. */
  licence?: "expiring";
  sort?: string;
}

export function driverListQuery(filters: DriverFilters, cursor: string | null) {
  return {
    q: filters.q?.trim() || undefined,
    status: filters.status,
    licence_expiring_before:
      filters.licence === "expiring" ? addDays(today(), LICENCE_WARNING_DAYS + 1) : undefined,
    sort: filters.sort || "name",
    cursor: cursor ?? undefined,
    limit: PAGE_SIZE,
  };
}

const driversKey = ["drivers"] as const;

export function driverListQueryOptions(filters: DriverFilters) {
  return infiniteQueryOptions({
    queryKey: [...driversKey, "list", filters],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/drivers", {
          params: { query: driverListQuery(filters, pageParam) },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function driverQueryOptions(driverId: string) {
  return queryOptions({
    queryKey: [...driversKey, "detail", driverId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/drivers/{driver_id}", {
          params: { path: { driver_id: driverId } },
          signal,
        }),
      ),
  });
}

/** Groups to put a driver in (the first 500 by name are plenty for a picker). */
export function driverGroupsQueryOptions() {
  return queryOptions({
    queryKey: ["groups", "picker"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/groups", { params: { query: { sort: "name", limit: 500 } }, signal })),
    staleTime: 5 * 60_000,
  });
}

export function useCreateDriver() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: DriverCreate) => unwrap(api.POST("/api/v1/drivers", { body })),
    onSuccess: (driver) => {
      client.setQueryData(driverQueryOptions(driver.id).queryKey, driver);
      void client.invalidateQueries({ queryKey: [...driversKey, "list"] });
    },
  });
}

/** `body.version` is the version the form was loaded from: a newer one answers 409. */
export function useUpdateDriver() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: DriverUpdate }) =>
      unwrap(api.PATCH("/api/v1/drivers/{driver_id}", { params: { path: { driver_id: id } }, body })),
    onSuccess: (driver) => {
      client.setQueryData(driverQueryOptions(driver.id).queryKey, driver);
      void client.invalidateQueries({ queryKey: [...driversKey, "list"] });
    },
  });
}

export function useDeleteDriver() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version }: { id: string; version: number }) =>
      unwrap(
        api.DELETE("/api/v1/drivers/{driver_id}", {
          params: { path: { driver_id: id }, header: { "If-Match": `"${version}"` } },
        }),
      ),
    onSuccess: (_, { id }) => {
      client.removeQueries({ queryKey: driverQueryOptions(id).queryKey });
      void client.invalidateQueries({ queryKey: [...driversKey, "list"] });
    },
  });
}

export type LicenceState =
  | { state: "none" }
  | { state: "ok"; days: number }
  | { state: "expiring"; days: number }
  | { state: "expired"; days: number };

/** Expired, expiring within LICENCE_WARNING_DAYS, fine, or unknown (no expiry on record). */
export function licenceState(expiry: string | null | undefined, on: string = today()): LicenceState {
  if (!expiry) return { state: "none" };
  const days = daysBetween(on, expiry);
  if (days < 0) return { state: "expired", days: -days };
  if (days <= LICENCE_WARNING_DAYS) return { state: "expiring", days };
  return { state: "ok", days };
}
