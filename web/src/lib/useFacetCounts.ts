import { keepPreviousData, useQueries } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

import { FACET_OF, search, type FacetValue, type SearchFilter, type SearchFilters } from "./search";

/** Values chosen per filter, each "any of". */
export type FacetSelection = Partial<Record<SearchFilter, string[]>>;

export interface FacetCounts {
  /** Counts per value of each filter's facet, over the whole result. */
  counts: Partial<Record<SearchFilter, FacetValue[]>>;
  /** Records matching the text and every selected value. */
  total: number | undefined;
  isPending: boolean;
  isError: boolean;
  error: unknown;
}

function without(selection: FacetSelection, filter: SearchFilter): SearchFilters {
  return Object.fromEntries(Object.entries(selection).filter(([name]) => name !== filter));
}

/**
 * Facet counts for a list screen, from the search API. Counts are disjunctive, as shoppers
 * know them: a facet with values chosen is counted without its own filter (one more request
 * each), so picking "Ford" still shows how many Volvos adding them would bring; every other
 * facet is counted with all the choices. Kept under `root` (the list's entity), so the live
 * feed's record events refresh them with the list.
 */
export function useFacetCounts(options: {
  root: string;
  type: string;
  q: string | undefined;
  selection: FacetSelection;
  filters: readonly SearchFilter[];
  enabled: boolean;
}): FacetCounts {
  const { root, type, selection, filters, enabled } = options;
  const q = options.q?.trim() || undefined;
  const chosen = filters.filter((f) => (selection[f]?.length ?? 0) > 0);
  const requests = [
    { filters: selection, facets: filters.filter((f) => !chosen.includes(f)) },
    ...chosen.map((f) => ({ filters: without(selection, f), facets: [f] })),
  ];
  const results = useQueries({
    queries: requests.map((request) => {
      const facets = request.facets.map((f) => FACET_OF[f]);
      const params = { q, types: [type], filters: request.filters, facets, limit: 1 };
      return {
        queryKey: [root, "facets", params],
        queryFn: ({ signal }: { signal: AbortSignal }) => search(params, signal),
        enabled,
        staleTime: 30_000,
        placeholderData: keepPreviousData,
        meta: { persist: false },
      };
    }),
  });
  const counts: FacetCounts["counts"] = {};
  requests.forEach((request, index) => {
    const facets = results[index]?.data?.facets ?? {};
    for (const f of request.facets) counts[f] = facets[FACET_OF[f]] ?? [];
  });
  const failed = results.find((r) => r.isError);
  return {
    counts,
    total: results[0]?.data?.total,
    isPending: results.some((r) => r.isPending),
    isError: failed !== undefined,
    error: failed?.error,
  };
}

/**
 * Facet choices kept in the URL, each filter a repeated parameter (`?make=Ford&make=Volvo`),
 * so a filtered list can be bookmarked and shared. `params` names each filter's parameter.
 */
export function useUrlFacets(params: Partial<Record<SearchFilter, string>>) {
  const [search, setSearch] = useSearchParams();
  const selection = useMemo(() => {
    const chosen: FacetSelection = {};
    for (const [filter, name] of Object.entries(params) as [SearchFilter, string][]) {
      const values = [...new Set(search.getAll(name).filter(Boolean))];
      if (values.length) chosen[filter] = values;
    }
    return chosen;
  }, [search, params]);
  const toggle = useCallback(
    (filter: SearchFilter, value: string) => {
      const name = params[filter];
      if (!name) return;
      setSearch(
        (current) => {
          const next = new URLSearchParams(current);
          const values = next.getAll(name);
          next.delete(name);
          const kept = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
          for (const v of kept) next.append(name, v);
          return next;
        },
        { replace: true },
      );
    },
    [params, setSearch],
  );
  const clear = useCallback(() => {
    setSearch(
      (current) => {
        const next = new URLSearchParams(current);
        for (const name of Object.values(params)) if (name) next.delete(name);
        return next;
      },
      { replace: true },
    );
  }, [params, setSearch]);
  return { selection, toggle, clear };
}
