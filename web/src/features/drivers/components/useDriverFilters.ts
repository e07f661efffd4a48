import { useMemo } from "react";

import { useUrlFacets } from "@/lib/useFacetCounts";
import { useUrlFilters } from "@/lib/useUrlFilters";

import { DRIVER_FACET_PARAMS, type DriverFilters } from "../api";

type Single = Omit<DriverFilters, "facets">;

const PARAMS = { q: "q", licence: "licence", sort: "sort" } as const;

const read = (get: (name: keyof Single) => string | undefined): Single => ({
  q: get("q"),
  licence: get("licence") === "expiring" ? "expiring" : undefined,
  sort: get("sort"),
});

/** The list's filters live in the URL, so a filtered list can be bookmarked and shared. */
export function useDriverFilters() {
  const { filters: single, setFilter } = useUrlFilters<Single>(PARAMS, read);
  const { selection, toggle, clear } = useUrlFacets(DRIVER_FACET_PARAMS);
  const filters = useMemo<DriverFilters>(() => ({ ...single, facets: selection }), [single, selection]);
  return { filters, setFilter, toggleFacet: toggle, clearFacets: clear };
}
