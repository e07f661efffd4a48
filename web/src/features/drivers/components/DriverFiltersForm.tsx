import { useCallback } from "react";

import { FilterBar, FilterSelect, SearchField } from "@/components/Filters";

import { LICENCE_WARNING_DAYS, type DriverFilters } from "../api";

interface Props {
  filters: DriverFilters;
  onChange: (name: Exclude<keyof DriverFilters, "facets">, value: string | undefined) => void;
}

const LICENCE_OPTIONS = [["expiring", `Expired or expiring within ${LICENCE_WARNING_DAYS} days`]] as const;

/** Search as you type (through the search API: typos forgiven) and the licence filter;
 * status, group and depot are the facets. */
export function DriverFiltersForm({ filters, onChange }: Props) {
  const search = useCallback((value: string | undefined) => onChange("q", value), [onChange]);
  return (
    <FilterBar>
      <SearchField value={filters.q} placeholder="Name, licence number, e-mail, depot…" onChange={search} />
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
