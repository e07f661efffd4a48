import { useInfiniteQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { Link } from "react-router";

import { FilterBar, FilterSelect, SearchField } from "@/components/Filters";
import { ErrorNotice } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { VirtualTable, type Column } from "@/components/VirtualTable";
import { formatDateTime } from "@/lib/format";

import { ALL_PROTOCOLS, deviceListQueryOptions, PROTOCOL_LABELS, type Device } from "../api";
import { useDeviceFilters } from "./useDeviceFilters";

const PROTOCOL_OPTIONS = ALL_PROTOCOLS.map((protocol) => [protocol, PROTOCOL_LABELS[protocol]] as const);

const COLUMNS: Column<Device>[] = [
  {
    key: "unique_id",
    header: "Device id",
    sortField: "unique_id",
    width: "20%",
    cell: (device) => <Link to={`/devices/${device.id}`}>{device.unique_id}</Link>,
  },
  { key: "name", header: "Name", sortField: "name", width: "20%", cell: (d) => d.name || "—" },
  { key: "protocol", header: "Protocol", width: "18%", cell: (d) => PROTOCOL_LABELS[d.protocol] },
  { key: "vehicle", header: "Vehicle", width: "14%", cell: (d) => <VehicleLink vehicleId={d.vehicle_id} /> },
  { key: "phone", header: "SIM phone", width: "13%", cell: (d) => d.phone || "—" },
  {
    key: "created",
    header: "Registered",
    sortField: "created_at",
    width: "15%",
    cell: (d) => formatDateTime(d.created_at),
  },
];

export function DeviceTable() {
  const { filters, setFilter } = useDeviceFilters();
  const search = useCallback((value: string | undefined) => setFilter("q", value), [setFilter]);
  const onSort = useCallback((sort: string) => setFilter("sort", sort), [setFilter]);
  const query = useInfiniteQuery(deviceListQueryOptions(filters));
  const rows = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);

  return (
    <>
      <FilterBar label="Filter devices">
        <SearchField value={filters.q} placeholder="Device id, name or phone" onChange={search} />
        <FilterSelect
          label="Protocol"
          value={filters.protocol}
          anyLabel="Any protocol"
          options={PROTOCOL_OPTIONS}
          onChange={(value) => setFilter("protocol", value)}
        />
      </FilterBar>
      {query.isError && rows.length === 0 ? (
        <ErrorNotice error={query.error} title="Can't load devices." />
      ) : (
        <VirtualTable
          rows={rows}
          columns={COLUMNS}
          rowKey={(device) => device.id}
          label="Devices list"
          noun={["device", "devices"]}
          isPending={query.isPending}
          hasNextPage={query.hasNextPage}
          isFetchingNextPage={query.isFetchingNextPage}
          fetchNextPage={query.fetchNextPage}
          emptyText="No devices match these filters."
          sort={filters.sort || "unique_id"}
          onSort={onSort}
        />
      )}
      {query.isError && rows.length > 0 ? <ErrorNotice error={query.error} /> : null}
    </>
  );
}
