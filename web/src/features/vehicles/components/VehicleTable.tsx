import { useInfiniteQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef } from "react";
import { Link } from "react-router";

import { ErrorNotice } from "@/components/Status";
import { formatDateTime, formatNumber, humanize } from "@/lib/format";

import { vehicleListQueryOptions, type Vehicle, type VehicleFilters } from "../api";
import { SortHeader } from "@/components/SortHeader";

const ROW_HEIGHT = 44;
const OVERSCAN = 12;
/** Fetch the next page when this few loaded rows are left below the viewport. */
const PREFETCH_ROWS = 60;

interface Props {
  filters: VehicleFilters;
  onSort: (sort: string) => void;
}

function makeModel(vehicle: Vehicle): string {
  return [vehicle.make, vehicle.model].filter(Boolean).join(" ") || "—";
}

/**
 * Every vehicle that matches, virtualised: only the rows in view are in the DOM, and the
 * next page (cursor) is fetched as the end of the loaded rows comes near.
 */
export function VehicleTable({ filters, onSort }: Props) {
  const query = useInfiniteQuery(vehicleListQueryOptions(filters));
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const rows = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    initialRect: { width: 1024, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - PREFETCH_ROWS) {
      void fetchNextPage();
    }
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastIndex, rows.length]);

  if (query.isError && rows.length === 0) {
    return <ErrorNotice error={query.error} title="Can't load vehicles." />;
  }
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const sort = filters.sort || "plate";

  return (
    <>
      <p className="muted" role="status" aria-live="polite">
        {query.isPending
          ? "Loading vehicles…"
          : `${formatNumber(rows.length)}${hasNextPage ? "+" : ""} vehicle${rows.length === 1 ? "" : "s"}`}
      </p>
      <div
        ref={scrollRef}
        className="table-scroll"
        tabIndex={0}
        role="region"
        aria-label="Vehicles list, scrollable"
      >
        <table className="data-table" aria-rowcount={hasNextPage ? -1 : rows.length + 1}>
          <thead>
            <tr aria-rowindex={1}>
              <SortHeader field="plate" label="Plate" sort={sort} onSort={onSort} />
              <SortHeader field="name" label="Name" sort={sort} onSort={onSort} />
              <SortHeader field="make" label="Make and model" sort={sort} onSort={onSort} />
              <SortHeader field="year" label="Year" sort={sort} onSort={onSort} />
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <SortHeader field="odometer_km" label="Odometer" sort={sort} onSort={onSort} />
              <SortHeader field="updated_at" label="Updated" sort={sort} onSort={onSort} />
            </tr>
          </thead>
          <tbody>
            {top > 0 ? <tr aria-hidden="true" style={{ height: top }} /> : null}
            {items.map((item) => {
              const vehicle = rows[item.index];
              if (!vehicle) return null;
              return (
                <tr key={vehicle.id} aria-rowindex={item.index + 2} style={{ height: ROW_HEIGHT }}>
                  <td>
                    <Link to={`/vehicles/${vehicle.id}`}>{vehicle.plate || "(no plate)"}</Link>
                  </td>
                  <td>{vehicle.name || "—"}</td>
                  <td>{makeModel(vehicle)}</td>
                  <td>{vehicle.year ?? "—"}</td>
                  <td>{humanize(vehicle.type)}</td>
                  <td>
                    <span className={`badge badge-${vehicle.status.state}`}>
                      {humanize(vehicle.status.state)}
                    </span>
                  </td>
                  <td className="numeric">{formatNumber(vehicle.odometer_km, "km")}</td>
                  <td>{formatDateTime(vehicle.updated_at)}</td>
                </tr>
              );
            })}
            {bottom > 0 ? <tr aria-hidden="true" style={{ height: bottom }} /> : null}
          </tbody>
        </table>
        {!query.isPending && rows.length === 0 ? (
          <p className="empty">No vehicles match these filters.</p>
        ) : null}
      </div>
      {isFetchingNextPage ? <p className="muted">Loading more…</p> : null}
      {query.isError && rows.length > 0 ? <ErrorNotice error={query.error} /> : null}
    </>
  );
}
