import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";

import { FilterBar, FilterSelect, SearchField } from "@/components/Filters";
import { humanize } from "@/lib/format";

import {
  VEHICLE_STATUSES,
  VEHICLE_TYPES,
  vehicleGroupsQueryOptions,
  type VehicleFilters,
} from "../api";

interface Props {
  filters: VehicleFilters;
  onChange: (name: keyof VehicleFilters, value: string | undefined) => void;
}

const STATUS_OPTIONS = VEHICLE_STATUSES.map((status) => [status, humanize(status)] as const);
const TYPE_OPTIONS = VEHICLE_TYPES.map((type) => [type, humanize(type)] as const);

/** Search as you type (debounced), and filters by status, type and group. */
export function VehicleFiltersForm({ filters, onChange }: Props) {
  const groups = useQuery(vehicleGroupsQueryOptions());
  const groupOptions = useMemo(
    () => (groups.data?.items ?? []).map((group) => [group.id, group.name] as const),
    [groups.data],
  );
  const search = useCallback((value: string | undefined) => onChange("q", value), [onChange]);
  return (
    <FilterBar>
      <SearchField value={filters.q} placeholder="Plate, name, VIN, make or model" onChange={search} />
      <FilterSelect
        label="Status"
        value={filters.status}
        anyLabel="Any status"
        options={STATUS_OPTIONS}
        onChange={(value) => onChange("status", value)}
      />
      <FilterSelect
        label="Type"
        value={filters.type}
        anyLabel="Any type"
        options={TYPE_OPTIONS}
        onChange={(value) => onChange("type", value)}
      />
      <FilterSelect
        label="Group"
        value={filters.groupId}
        anyLabel="Any group"
        options={groupOptions}
        onChange={(value) => onChange("groupId", value)}
      />
    </FilterBar>
  );
}
