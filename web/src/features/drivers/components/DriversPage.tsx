import { useInfiniteQuery } from "@tanstack/react-query";
import { useCallback, useMemo, type ComponentType } from "react";
import { Link, useLocation } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { ErrorNotice } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { VirtualTable, type Column } from "@/components/VirtualTable";
import { useAccess } from "@/lib/access";
import { humanize } from "@/lib/format";
import { useOnline } from "@/lib/offline";

import {
  driverListQueryOptions,
  driverListSearches,
  driverMatchesOffline,
  licenceState,
  sortDrivers,
  type Driver,
  type DriverFilters,
} from "../api";
import { DriverFacets } from "./DriverFacets";
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

/** The list's rows: the drivers endpoint's, search hits, or offline the saved rows filtered here. */
function useDriverRows(filters: DriverFilters) {
  const online = useOnline();
  const searching = driverListSearches(filters);
  const saved = searching && !online;
  const query = useInfiniteQuery(driverListQueryOptions(saved ? { ...filters, q: undefined, facets: {} } : filters));
  const rows = useMemo(() => {
    const loaded = query.data?.pages.flatMap((page) => page.items) ?? [];
    if (saved) return loaded.filter((driver) => driverMatchesOffline(driver, filters));
    return searching ? sortDrivers(loaded, filters.sort) : loaded;
  }, [query.data, saved, searching, filters]);
  return { query, rows, searching, saved };
}

function DriverTable() {
  const { filters, setFilter, toggleFacet, clearFacets } = useDriverFilters();
  const onSort = useCallback((sort: string) => setFilter("sort", sort), [setFilter]);
  const { query, rows, searching, saved } = useDriverRows(filters);
  return (
    <>
      <DriverFiltersForm filters={filters} onChange={setFilter} />
      <DriverFacets filters={filters} onToggle={toggleFacet} onClear={clearFacets} />
      {saved ? <p className="muted">Offline: the drivers saved on this device, filtered here (exact words).</p> : null}

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
          sort={filters.sort || (searching && !saved ? "" : "name")}
          onSort={onSort}
        />
      )}
      {query.isError && rows.length > 0 ? <ErrorNotice error={query.error} /> : null}
    </>
  );
}

/**
 * The drivers list. The app composes in a summary shown above it (this week's best and worst
 * scores, from the scorecard feature); features don't import each other.
 */
export function DriversPage({ Summary }: { Summary?: ComponentType } = {}) {
  const access = useAccess();
  // "Deleted …; sent when the network allows" from the driver's page.
  const notice = (useLocation().state as { notice?: unknown } | null)?.notice;
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
      {typeof notice === "string" ? (
        <p role="status" className="notice notice-info">
          {notice}
        </p>
      ) : null}
      {access.can("drivers:read") ? (
        <>
          {Summary ? <Summary /> : null}
          <DriverTable />
        </>
      ) : (
        <NoAccess role={access.role} what="see drivers" />
      )}
    </>
  );
}
