import { useInfiniteQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, type ReactNode } from "react";
import { Link } from "react-router";

import { SortHeader } from "@/components/SortHeader";
import { ErrorNotice } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { formatDateTime, formatNumber, humanize } from "@/lib/format";

import { vehicleListQueryOptions, type VehicleFilters, type VehicleOverview } from "../api";
import { ActivityLabel } from "./ActivityLabel";
import { currentActivity, placeText, since, SINCE_TICK_MS, trackerDetails, trackerLabel } from "./liveContext";
import { useNow } from "./useNow";
import "./vehicles.css";

const ROW_HEIGHT = 44;
const OVERSCAN = 12;
/** Fetch the next page when this few loaded rows are left below the viewport. */
const PREFETCH_ROWS = 60;
const COLUMNS = ["plate", "name", "state", "fix", "place", "driver", "tracker", "model", "status"] as const;

interface Props {
  filters: VehicleFilters;
  onSort: (sort: string) => void;
}

function makeModel(vehicle: VehicleOverview): string {
  return [vehicle.make, vehicle.model].filter(Boolean).join(" ") || "—";
}

/** A header that sorts when the reader may sort by it (drivers and trackers need their read). */
function Header(props: { field: string; label: string; sort: string; onSort: (s: string) => void; sortable: boolean }) {
  const { sortable, ...header } = props;
  return sortable ? <SortHeader {...header} /> : <th scope="col">{props.label}</th>;
}

/** Free text (names, places, models) wraps to two lines rather than hide behind an ellipsis;
 * the whole of it is in the title either way. */
function WrapCell({ text, children }: { text: string; children?: ReactNode }) {
  return (
    <td className="cell-wrap" title={text}>
      {children ?? <span>{text}</span>}
    </td>
  );
}

function VehicleRow({ vehicle, now, index }: { vehicle: VehicleOverview; now: number; index: number }) {
  const fix = vehicle.last_fix?.fix_time;
  const { driver, tracker } = vehicle;
  return (
    <tr aria-rowindex={index + 2} style={{ height: ROW_HEIGHT }}>
      <td>
        <Link to={`/vehicles/${vehicle.id}`}>{vehicle.plate || "(no plate)"}</Link>
      </td>
      <WrapCell text={vehicle.name || "—"} />
      <td>
        <ActivityLabel activity={currentActivity(vehicle, now)} />
      </td>
      <td>{fix ? <time dateTime={fix} title={formatDateTime(fix)}>{since(fix, now)}</time> : "—"}</td>
      <WrapCell text={placeText(vehicle.place)} />
      <WrapCell text={driver?.name ?? "—"}>
        {driver ? <Link to={`/drivers/${driver.id}`}>{driver.name}</Link> : undefined}
      </WrapCell>
      <WrapCell text={tracker ? trackerDetails(tracker) : "—"}>
        {tracker ? (
          <Link to={`/devices/${tracker.id}`} aria-label={trackerDetails(tracker)}>
            {trackerLabel(tracker)}
          </Link>
        ) : undefined}
      </WrapCell>
      <WrapCell text={makeModel(vehicle)} />
      <td>
        <span className={`badge badge-${vehicle.status.state}`}>{humanize(vehicle.status.state)}</span>
      </td>
    </tr>
  );
}

/**
 * Every vehicle that matches with its live context, virtualised: only the rows in view are in
 * the DOM, and the next page (cursor) is fetched as the end of the loaded rows comes near.
 * "… ago" is worded again every few seconds; the rows themselves refresh every 30 s.
 */
export function VehicleTable({ filters, onSort }: Props) {
  const access = useAccess();
  const now = useNow(SINCE_TICK_MS);
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
  const sorting = { sort, onSort };

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
        <table className="data-table vehicle-table" aria-rowcount={hasNextPage ? -1 : rows.length + 1}>
          <colgroup>
            {COLUMNS.map((column) => (
              <col key={column} className={`col-${column}`} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              <SortHeader field="plate" label="Plate" sort={sort} onSort={onSort} />
              <SortHeader field="name" label="Name" sort={sort} onSort={onSort} />
              <SortHeader field="activity" label="State" sort={sort} onSort={onSort} />
              <SortHeader field="last_fix" label="Last fix" sort={sort} onSort={onSort} />
              <th scope="col">Place</th>
              <Header field="driver" label="Driver" sortable={access.can("drivers:read")} {...sorting} />
              <Header field="tracker" label="Tracker" sortable={access.can("devices:read")} {...sorting} />
              <SortHeader field="make" label="Make and model" sort={sort} onSort={onSort} />
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {top > 0 ? <tr aria-hidden="true" style={{ height: top }} /> : null}
            {items.map((item) => {
              const vehicle = rows[item.index];
              return vehicle ? <VehicleRow key={vehicle.id} vehicle={vehicle} now={now} index={item.index} /> : null;
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
