import { useInfiniteQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useMemo, useState } from "react";
import { Link } from "react-router";

import { ErrorNotice } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { VirtualTable, type Column } from "@/components/VirtualTable";
import { formatDateTime } from "@/lib/format";
import { useDebounced } from "@/lib/useDebounced";

import { deviceListQueryOptions, PROTOCOL_LABELS, PROTOCOLS, type Device } from "../api";
import { useDeviceFilters } from "./useDeviceFilters";

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
  const ids = { q: useId(), protocol: useId() };
  const [text, setText] = useState(filters.q ?? "");
  const settled = useDebounced(text, 250);
  useEffect(() => {
    if ((filters.q ?? "") !== settled) setFilter("q", settled || undefined);
  }, [settled, filters.q, setFilter]);
  const onSort = useCallback((sort: string) => setFilter("sort", sort), [setFilter]);
  const query = useInfiniteQuery(deviceListQueryOptions(filters));
  const rows = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);

  return (
    <>
      <form className="filters" role="search" aria-label="Filter devices" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-grow">
          <label htmlFor={ids.q}>Search</label>
          <input
            id={ids.q}
            type="search"
            placeholder="Device id, name or phone"
            value={text}
            maxLength={100}
            onChange={(event) => setText(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.protocol}>Protocol</label>
          <select
            id={ids.protocol}
            value={filters.protocol ?? ""}
            onChange={(event) => setFilter("protocol", event.target.value || undefined)}
          >
            <option value="">Any protocol</option>
            {PROTOCOLS.map((protocol) => (
              <option key={protocol} value={protocol}>
                {PROTOCOL_LABELS[protocol]}
              </option>
            ))}
          </select>
        </div>
      </form>
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
