import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

import { SEVERITIES, STATE_FILTERS, type AlertFilters } from "../api";

const PARAMS = {
  state: "state",
  severity: "severity",
  vehicleId: "vehicle",
  acknowledged: "acknowledged",
} as const;

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((item) => item === value);
}

/** Filters in the URL; an inbox opens on the open alerts. */
export function useAlertFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<AlertFilters>(
    () => ({
      state: oneOf(params.get(PARAMS.state), STATE_FILTERS) ?? "open",
      severity: oneOf(params.get(PARAMS.severity), SEVERITIES),
      vehicleId: params.get(PARAMS.vehicleId) ?? undefined,
      acknowledged: oneOf(params.get(PARAMS.acknowledged), ["yes", "no"] as const),
    }),
    [params],
  );
  const setFilter = useCallback(
    (name: keyof AlertFilters, value: string | undefined) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value && !(name === "state" && value === "open")) next.set(PARAMS[name], value);
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
