import { oneOf, useUrlFilters } from "@/lib/useUrlFilters";

import { DRIVER_STATUSES, type DriverFilters } from "../api";

const PARAMS = { q: "q", status: "status", licence: "licence", sort: "sort" } as const;

const read = (get: (name: keyof DriverFilters) => string | undefined): DriverFilters => ({
  q: get("q"),
  status: oneOf(get("status"), DRIVER_STATUSES),
  licence: get("licence") === "expiring" ? "expiring" : undefined,
  sort: get("sort"),
});

/** The list's filters live in the URL, so a filtered list can be bookmarked and shared. */
export function useDriverFilters() {
  return useUrlFilters<DriverFilters>(PARAMS, read);
}
