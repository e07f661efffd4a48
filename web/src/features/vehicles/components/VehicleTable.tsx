import { useInfiniteQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, type ReactNode } from "react";
import { Link } from "react-router";

import { SortHeader } from "@/components/SortHeader";
import { ErrorNotice } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { formatDateTime, formatNumber, humanize } from "@/lib/format";
import { useOnline } from "@/lib/offline";

import { listSearches, vehicleListQueryOptions, type VehicleFilters, type VehicleOverview } from "../api";
import { matchesOffline, sortRows } from "../listSource";
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
/**
 * What the list reads: the overview, search hits, or — offline, where search can't go — the
 * rows saved for the list without text and facets, filtered here.
 */
function useListQuery(filters: VehicleFilters) {
  const online = useOnline();
  const searching = listSearches(filters);
  const saved = searching && !online;
  const read = saved ? { ...filters, q: undefined, facets: {}, sort: filters.sort } : filters;
  const query = useInfiniteQuery(vehicleListQueryOptions(read));
  const rows = useMemo(() => {
    const loaded = query.data?.pages.flatMap((page) => page.items) ?? [];
    if (saved) return loaded.filter((vehicle) => matchesOffline(vehicle, filters));
    return searching ? sortRows(loaded, filters.sort) : loaded;
  }, [query.data, saved, searching, filters]);
  const first = query.data?.pages[0];
  const total = searching && !saved && first && "total" in first ? first.total : undefined;
  return { query, rows, searching, saved, total };
}

/** The count line: how many match (search's total, when no live filter cuts it), or how many loaded. */
function countText(shown: number, more: boolean, total: number | undefined, filters: VehicleFilters): string {
  const live = filters.activity || filters.driver || filters.tracker;
  const count = total !== undefined && !live ? total : shown;
  const plus = count === shown && more ? "+" : "";
  return `${formatNumber(count)}${plus} vehicle${count === 1 ? "" : "s"}`;
}

function orderNote(searching: boolean, saved: boolean, more: boolean, filters: VehicleFilters): string | null {
  if (saved) return "Offline: the vehicles saved on this device, filtered here (exact words).";
  if (!searching) return null;
  if (!filters.sort) return filters.q?.trim() ? "Best matches first." : null;
  return more ? "Sorted among the loaded matches; scroll for more." : null;
}

export function VehicleTable({ filters, onSort }: Props) {
  const access = useAccess();
  const now = useNow(SINCE_TICK_MS);
  const { query, rows, searching, saved, total } = useListQuery(filters);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
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
  // Search hits come best first until a column is chosen; the overview sorts by plate.
  const sort = filters.sort || (searching ? "" : "plate");
  const sorting = { sort, onSort };
  const note = orderNote(searching, saved, Boolean(hasNextPage), filters);

  return (
    <>
      <p className="muted" role="status" aria-live="polite">
        {/* the count in its own element: it reads whole, the note after it */}
        <span>
          {query.isPending && query.fetchStatus === "paused"
            ? "You are offline, and this list was not loaded before."
            : query.isPending
              ? "Loading vehicles…"
              : countText(rows.length, Boolean(hasNextPage), total, filters)}
        </span>
        {note && !query.isPending ? <span className="list-note"> · {note}</span> : null}
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
