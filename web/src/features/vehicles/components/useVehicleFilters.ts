import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

import {
  VEHICLE_STATUSES,
  VEHICLE_TYPES,
  type VehicleFilters,
  type VehicleStatus,
  type VehicleType,
} from "../api";

const PARAMS = { q: "q", status: "status", type: "type", groupId: "group", sort: "sort" } as const;

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((item) => item === value);
}

/** The list's filters live in the URL, so a filtered list can be bookmarked and shared. */
export function useVehicleFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<VehicleFilters>(
    () => ({
      q: params.get(PARAMS.q) ?? undefined,
      status: oneOf<VehicleStatus>(params.get(PARAMS.status), VEHICLE_STATUSES),
      type: oneOf<VehicleType>(params.get(PARAMS.type), VEHICLE_TYPES),
      groupId: params.get(PARAMS.groupId) ?? undefined,
      sort: params.get(PARAMS.sort) ?? undefined,
    }),
    [params],
  );
  const setFilter = useCallback(
    (name: keyof VehicleFilters, value: string | undefined) => {
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
