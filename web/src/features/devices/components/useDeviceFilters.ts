import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

import { PROTOCOLS, type DeviceFilters } from "../api";

const PARAMS = { q: "q", protocol: "protocol", sort: "sort" } as const;

/** The list's filters live in the URL, so a filtered list can be bookmarked and shared. */
export function useDeviceFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<DeviceFilters>(
    () => ({
      q: params.get(PARAMS.q) ?? undefined,
      protocol: PROTOCOLS.find((p) => p === params.get(PARAMS.protocol)),
      sort: params.get(PARAMS.sort) ?? undefined,
    }),
    [params],
  );
  const setFilter = useCallback(
    (name: keyof DeviceFilters, value: string | undefined) => {
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
