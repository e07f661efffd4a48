import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";
import { addDays, daysBetween, today } from "@/lib/dates";
import { MAX_PAGE, listHits, rowsForHits, search, type SearchListPage } from "@/lib/search";
import type { FacetSelection } from "@/lib/useFacetCounts";

import { driverDetailKey, driversKey } from "./mutations";

export { createDriverMutation, deleteDriverMutation, updateDriverMutation } from "./mutations";

export type Driver = Schemas["Driver"];
export type DriverCreate = Schemas["DriverCreate"];
export type DriverUpdate = Schemas["DriverUpdate"];
export type DriverStatus = Schemas["DriverStatus"];

export const DRIVER_STATUSES: readonly DriverStatus[] = ["active", "inactive", "suspended"];
export const PAGE_SIZE = 200;
/** A licence that expires within this many days is flagged. */
export const LICENCE_WARNING_DAYS = 30;

export interface DriverFilters {
  /** Searched through the search API (typos forgiven). */
  q?: string;
  /** Values chosen per facet (status, group_id, depot), each "any of". */
  facets: FacetSelection;
  /** Only licences that are expired or expire within LICENCE_WARNING_DAYS. */
  licence?: "expiring";
  sort?: string;
}

/** The facets beside the list, in the order shown, and their address parameters. */
export const DRIVER_FACETS = ["status", "group_id", "depot"] as const;
export const DRIVER_FACET_PARAMS = { status: "status", group_id: "group", depot: "depot" } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The facet choices the drivers endpoint filters by itself (one status, one group), or null. */
function listRecordFilters(facets: FacetSelection): { status?: DriverStatus; group_id?: string } | null {
  const [status, ...moreStatus] = facets.status ?? [];
  const [group, ...moreGroups] = facets.group_id ?? [];
  if (facets.depot?.length || moreStatus.length || moreGroups.length) return null;
  const known = DRIVER_STATUSES.find((s) => s === status);
  if ((status && !known) || (group && !UUID.test(group))) return null;
  return { status: known, group_id: group };
}

/** The list reads search hits with text, a depot, or several values of a facet. */
export function driverListSearches(filters: DriverFilters): boolean {
  return Boolean(filters.q?.trim()) || listRecordFilters(filters.facets) === null;
}

const licenceQuery = (filters: DriverFilters) => ({
  licence_expiring_before:
    filters.licence === "expiring" ? addDays(today(), LICENCE_WARNING_DAYS + 1) : undefined,
});

export function driverListQuery(filters: DriverFilters, cursor: string | null) {
  return {
    ...listRecordFilters(filters.facets),
    ...licenceQuery(filters),
    sort: filters.sort || "name",
    cursor: cursor ?? undefined,
    limit: PAGE_SIZE,
  };
}

export type DriverPage = Schemas["Page_Driver_"] | SearchListPage<Driver>;

/** A page of search hits (best first), the drivers read by id with the licence filter. */
async function driverSearchPage(filters: DriverFilters, cursor: string | null, signal: AbortSignal) {
  const found = await search(
    { q: filters.q, types: ["driver"], filters: filters.facets, limit: MAX_PAGE, cursor },
    signal,
  );
  const { hits, total } = listHits(found);
  const items = await rowsForHits(hits, async (ids) => {
    const query = { ...licenceQuery(filters), id: ids, limit: ids.length };
    return (await unwrap(api.GET("/api/v1/drivers", { params: { query }, signal }))).items;
  });
  return { items, next_cursor: hits.length ? (found.next_cursor ?? null) : null, total };
}

/** The drivers list, a page at a time; search hits with text or choices it can't filter by. */
export function driverListQueryOptions(filters: DriverFilters) {
  const searching = driverListSearches(filters);
  return infiniteQueryOptions({
    queryKey: [...driversKey, "list", filters],
    queryFn: ({ pageParam, signal }): Promise<DriverPage> =>
      searching
        ? driverSearchPage(filters, pageParam, signal)
        : unwrap(
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
    queryKey: driverDetailKey(driverId),
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

export type LicenceState =
  | { state: "none" }
  | { state: "ok"; days: number }
  | { state: "expiring"; days: number }
  | { state: "expired"; days: number };

const text = (value: string | null | undefined) =>
  (value ?? "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

/** Offline, the saved rows are filtered here: every word in a name, licence number or e-mail. */
export function driverMatchesOffline(driver: Driver, filters: DriverFilters): boolean {
  const words = text(filters.q).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const haystack = text([driver.name, driver.licence_number, driver.email].join(" "));
  if (!words.every((word) => haystack.includes(word))) return false;
  const { status, group_id } = filters.facets;
  return (!status?.length || status.includes(driver.status)) && (!group_id?.length || group_id.includes(driver.group_id ?? ""));
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Search hits sorted by a column as the server sorts the list (no expiry last). */
export function sortDrivers(rows: Driver[], sort: string | undefined): Driver[] {
  const field = (sort ?? "").replace(/^-/, "");
  const key = field === "name" ? (d: Driver) => d.name : field === "licence_expiry" ? (d: Driver) => d.licence_expiry : null;
  if (!key) return rows;
  const direction = sort?.startsWith("-") ? -1 : 1;
  return [...rows].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (!x) return y ? 1 : 0;
    if (!y) return -1;
    return collator.compare(x, y) * direction;
  });
}

/** Expired, expiring within LICENCE_WARNING_DAYS, fine, or unknown (no expiry on record). */
export function licenceState(expiry: string | null | undefined, on: string = today()): LicenceState {
  if (!expiry) return { state: "none" };
  const days = daysBetween(on, expiry);
  if (days < 0) return { state: "expired", days: -days };
  if (days <= LICENCE_WARNING_DAYS) return { state: "expiring", days };
  return { state: "ok", days };
}
