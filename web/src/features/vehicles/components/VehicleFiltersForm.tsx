import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";

import { FilterBar, FilterSelect, SearchField } from "@/components/Filters";
import { useAccess } from "@/lib/access";
import { activityStatus, STATUS_STYLE } from "@/lib/vehicleStatus";

import {
  ACTIVITIES,
  TRACKER_PROTOCOLS,
  WITH_ANY,
  WITHOUT,
  vehicleDriversQueryOptions,
  type VehicleFilters,
} from "../api";
import { protocolName } from "./liveContext";

interface Props {
  filters: VehicleFilters;
  onChange: (name: Exclude<keyof VehicleFilters, "facets">, value: string | undefined) => void;
}

const ACTIVITY_OPTIONS = ACTIVITIES.map((a) => [a, STATUS_STYLE[activityStatus(a)].label] as const);
const TRACKER_OPTIONS = [
  [WITH_ANY, "With a tracker"],
  [WITHOUT, "Without a tracker"],
  ...TRACKER_PROTOCOLS.map((p) => [p, protocolName(p)] as const),
] as const;

/** The driver filter: with one, without, or a given active driver (who may see drivers). */
function DriverFilter({ value, onChange }: { value: string | undefined; onChange: (v?: string) => void }) {
  const drivers = useQuery(vehicleDriversQueryOptions());
  const options = useMemo(
    () => [
      [WITH_ANY, "With a driver"] as const,
      [WITHOUT, "Without a driver"] as const,
      ...(drivers.data ?? []).map((driver) => [driver.id, driver.name] as const),
    ],
    [drivers.data],
  );
  return <FilterSelect label="Driver" value={value} anyLabel="Any driver" options={options} onChange={onChange} />;
}

/**
 * Search as you type (debounced; through the search API, so typos are forgiven), and the live
 * filters: state, driver, tracker. Status, type, make, model and group are the facets.
 */
export function VehicleFiltersForm({ filters, onChange }: Props) {
  const access = useAccess();
  const search = useCallback((value: string | undefined) => onChange("q", value), [onChange]);
  return (
    <FilterBar>
      <SearchField value={filters.q} placeholder="Plate, name, VIN, make, model, depot…" onChange={search} />
      <FilterSelect
        label="State"
        value={filters.activity}
        anyLabel="Any state"
        options={ACTIVITY_OPTIONS}
        onChange={(value) => onChange("activity", value)}
      />
      {access.can("drivers:read") ? (
        <DriverFilter value={filters.driver} onChange={(value) => onChange("driver", value)} />
      ) : null}
      {access.can("devices:read") ? (
        <FilterSelect
          label="Tracker"
          value={filters.tracker}
          anyLabel="Any tracker"
          options={TRACKER_OPTIONS}
          onChange={(value) => onChange("tracker", value)}
        />
      ) : null}
    </FilterBar>
  );
}
