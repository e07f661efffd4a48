import { useInfiniteQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { Link } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { ErrorNotice } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { VirtualTable, type Column } from "@/components/VirtualTable";
import { useAccess } from "@/lib/access";
import { humanize } from "@/lib/format";

import { driverListQueryOptions, licenceState, type Driver } from "../api";
import { DriverFiltersForm } from "./DriverFiltersForm";
import { LicenceBadge } from "./LicenceBadge";
import { useDriverFilters } from "./useDriverFilters";

const COLUMNS: Column<Driver>[] = [
  {
    key: "name",
    header: "Name",
    sortField: "name",
    width: "22%",
    cell: (driver) => <Link to={`/drivers/${driver.id}`}>{driver.name}</Link>,
  },
  {
    key: "status",
    header: "Status",
    width: "10%",
    cell: (driver) => <span className={`badge badge-${driver.status}`}>{humanize(driver.status)}</span>,
  },
  { key: "licence", header: "Licence", width: "14%", cell: (d) => d.licence_number ?? "—" },
  {
    key: "expiry",
    header: "Licence expiry",
    sortField: "licence_expiry",
    width: "24%",
    cell: (driver) => <LicenceBadge expiry={driver.licence_expiry} />,
  },
  {
    key: "vehicle",
    header: "Assigned vehicle",
    width: "14%",
    cell: (driver) => <VehicleLink vehicleId={driver.assigned_vehicle_id} />,
  },
  { key: "contact", header: "Contact", width: "16%", cell: (d) => d.phone || d.email || "—" },
];

function rowClass(driver: Driver): string | undefined {
  const { state } = licenceState(driver.licence_expiry);
  return state === "expired" ? "row-danger" : state === "expiring" ? "row-warning" : undefined;
}

function DriverTable() {
  const { filters, setFilter } = useDriverFilters();
  const onSort = useCallback((sort: string) => setFilter("sort", sort), [setFilter]);
  const query = useInfiniteQuery(driverListQueryOptions(filters));
  const rows = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  return (
    <>
      <DriverFiltersForm filters={filters} onChange={setFilter} />
      {query.isError && rows.length === 0 ? (
        <ErrorNotice error={query.error} title="Can't load drivers." />
      ) : (
        <VirtualTable
          rows={rows}
          columns={COLUMNS}
          rowKey={(driver) => driver.id}
          rowClassName={rowClass}
          label="Drivers list"
          noun={["driver", "drivers"]}
          isPending={query.isPending}
          hasNextPage={query.hasNextPage}
          isFetchingNextPage={query.isFetchingNextPage}
          fetchNextPage={query.fetchNextPage}
          emptyText="No drivers match these filters."
          sort={filters.sort || "name"}
          onSort={onSort}
        />
      )}
      {query.isError && rows.length > 0 ? <ErrorNotice error={query.error} /> : null}
    </>
  );
}

export function DriversPage() {
  const access = useAccess();
  return (
    <>
      <div className="page-head">
        <h1>Drivers</h1>
        {access.can("drivers:write") ? (
          <Link className="button button-primary" to="/drivers/new">
            Add driver
          </Link>
        ) : null}
      </div>
      {access.can("drivers:read") ? <DriverTable /> : <NoAccess role={access.role} what="see drivers" />}
    </>
  );
}
