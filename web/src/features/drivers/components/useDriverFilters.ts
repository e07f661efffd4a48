import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

import { DRIVER_STATUSES, type DriverFilters, type DriverStatus } from "../api";

const PARAMS = { q: "q", status: "status", licence: "licence", sort: "sort" } as const;

/** The list's filters live in the URL, so a filtered list can be bookmarked and shared. */
export function useDriverFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<DriverFilters>(
    () => ({
      q: params.get(PARAMS.q) ?? undefined,
      status: DRIVER_STATUSES.find((s) => s === params.get(PARAMS.status)) as DriverStatus | undefined,
      licence: params.get(PARAMS.licence) === "expiring" ? "expiring" : undefined,
      sort: params.get(PARAMS.sort) ?? undefined,
    }),
    [params],
  );
  const setFilter = useCallback(
    (name: keyof DriverFilters, value: string | undefined) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value) next.set(PARAMS[name], value);
          else next.delete(PARAMS[name]);
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  return { filters, setFilter };
}
