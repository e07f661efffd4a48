import { useMemo } from "react";

import { useUrlFacets } from "@/lib/useFacetCounts";
import { oneOf, useUrlFilters } from "@/lib/useUrlFilters";

import { ACTIVITIES, type VehicleFilters } from "../api";
import { VEHICLE_FACET_PARAMS } from "../listSource";

type Single = Omit<VehicleFilters, "facets">;

const PARAMS = {
  q: "q",
  activity: "activity",
  driver: "driver",
  tracker: "tracker",
  sort: "sort",
} as const;

const read = (get: (name: keyof Single) => string | undefined): Single => ({
  q: get("q"),
  activity: oneOf(get("activity"), ACTIVITIES),
  driver: get("driver"),
  tracker: get("tracker"),
  sort: get("sort"),
});

/**
 * The list's filters live in the URL, so a filtered list can be bookmarked and shared (the
 * dashboard links to `/vehicles?activity=moving` and `/vehicles?status=retired`); facet
 * choices repeat their parameter (`?make=Ford&make=Volvo`).
 */
export function useVehicleFilters() {
  const { filters: single, setFilter } = useUrlFilters<Single>(PARAMS, read);
  const { selection, toggle, clear } = useUrlFacets(VEHICLE_FACET_PARAMS);
  const filters = useMemo<VehicleFilters>(() => ({ ...single, facets: selection }), [single, selection]);
  return { filters, setFilter, toggleFacet: toggle, clearFacets: clear };
}
