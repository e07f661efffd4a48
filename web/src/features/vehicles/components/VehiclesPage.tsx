import { useCallback } from "react";

import { useVehicleFilters } from "./useVehicleFilters";
import { VehicleFiltersForm } from "./VehicleFiltersForm";
import { VehicleTable } from "./VehicleTable";

export function VehiclesPage() {
  const { filters, setFilter } = useVehicleFilters();
  const onSort = useCallback((sort: string) => setFilter("sort", sort), [setFilter]);
  return (
    <>
      <h1>Vehicles</h1>
      <VehicleFiltersForm filters={filters} onChange={setFilter} />
      <VehicleTable filters={filters} onSort={onSort} />
    </>
  );
}
