import { useCallback } from "react";

import { FilterBar, FilterSelect, SearchField } from "@/components/Filters";
import { humanize } from "@/lib/format";

import { DRIVER_STATUSES, LICENCE_WARNING_DAYS, type DriverFilters } from "../api";

interface Props {
  filters: DriverFilters;
  onChange: (name: keyof DriverFilters, value: string | undefined) => void;
}

const STATUS_OPTIONS = DRIVER_STATUSES.map((status) => [status, humanize(status)] as const);
const LICENCE_OPTIONS = [["expiring", `Expired or expiring within ${LICENCE_WARNING_DAYS} days`]] as const;

export function DriverFiltersForm({ filters, onChange }: Props) {
  const search = useCallback((value: string | undefined) => onChange("q", value), [onChange]);
  return (
    <FilterBar>
      <SearchField value={filters.q} placeholder="Name, licence number or email" onChange={search} />
      <FilterSelect
        label="Status"
        value={filters.status}
        anyLabel="Any status"
        options={STATUS_OPTIONS}
        onChange={(value) => onChange("status", value)}
      />
      <FilterSelect
        label="Licence"
        value={filters.licence}
        anyLabel="Any expiry"
        options={LICENCE_OPTIONS}
        onChange={(value) => onChange("licence", value)}
      />
    </FilterBar>
  );
}
