import { useCallback } from "react";

import { useVehicleFilters } from "./useVehicleFilters";
import { VehicleFacets } from "./VehicleFacets";
import { VehicleFiltersForm } from "./VehicleFiltersForm";
import { VehicleTable } from "./VehicleTable";

export function VehiclesPage() {
  const { filters, setFilter, toggleFacet, clearFacets } = useVehicleFilters();
  const onSort = useCallback((sort: string) => setFilter("sort", sort), [setFilter]);
  return (
    <>
      <h1>Vehicles</h1>
      <VehicleFiltersForm filters={filters} onChange={setFilter} />
      <VehicleFacets filters={filters} onToggle={toggleFacet} onClear={clearFacets} />
      <VehicleTable filters={filters} onSort={onSort} />
    </>
  );
}
