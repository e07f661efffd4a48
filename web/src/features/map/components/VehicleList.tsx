import { useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useId, useMemo, useRef, useState, type KeyboardEvent } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { formatSpeed } from "@/lib/format";

import { fleetStateQueryOptions, openAlertsQueryOptions, type VehicleWithState } from "../api";
import { STATUS_STYLE, vehicleLabel, vehicleStatus, type ListStatus } from "../status";
import { useThrottledQuery } from "../useThrottledQuery";

const ROW_PX = 52;
/** The list shows the live fleet at most this often (the map shows every frame). */
const LIST_EVERY_MS = 1000;

interface Row {
  vehicle: VehicleWithState;
  label: string;
  status: ListStatus;
}

function matches(row: Row, query: string): boolean {
  if (!query) return true;
  const text = `${row.label} ${row.vehicle.name ?? ""} ${STATUS_STYLE[row.status].label}`.toLowerCase();
  return text.includes(query);
}

/**
 * The fleet as a list beside the map: the keyboard's way to the vehicles (arrow keys move,
 * Enter opens), and a screen reader's. Virtualised: a thousand vehicles render a screenful.
 */
export function VehicleList({
  selected,
  onSelect,
}: {
  selected: string | null;
  onSelect: (vehicleId: string) => void;
}) {
  const fleet = useThrottledQuery(fleetStateQueryOptions(), LIST_EVERY_MS);
  const alerts = useQuery(openAlertsQueryOptions());
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const ids = { search: useId(), count: useId() };

  const rows = useMemo(() => {
    const alerted = new Set((alerts.data ?? []).map((a) => a.vehicle_id));
    const now = Date.now();
    const all = (fleet.data ?? []).map((vehicle) => ({
      vehicle,
      label: vehicleLabel(vehicle),
      status: vehicleStatus(vehicle, alerted.has(vehicle.vehicle_id), now),
    }));
    const wanted = query.trim().toLowerCase();
    return all.filter((row) => matches(row, wanted)).sort((a, b) => a.label.localeCompare(b.label));
  }, [fleet.data, alerts.data, query]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_PX,
    overscan: 8,
  });
  const current = Math.min(active, Math.max(rows.length - 1, 0));

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next);
    requestAnimationFrame(() =>
      scroller.current?.querySelector<HTMLButtonElement>(`[data-row="${next}"]`)?.focus(),
    );
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_PX * 10) / ROW_PX));
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: rows.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    moveTo(target);
  };

  // In the search: Enter opens the first match (as a click on it would), ↓ goes to the list.
  const onSearchKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const first = rows[0];
    if (!first || event.nativeEvent.isComposing) return;
    if (event.key === "Enter") {
      event.preventDefault();
      setActive(0);
      onSelect(first.vehicle.vehicle_id);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      moveTo(0);
    }
  };

  let body;
  if (fleet.isPending) body = <Loading label="Loading vehicles…" />;
  else if (fleet.isError) body = <ErrorNotice error={fleet.error} />;
  else
    body = (
      <div
        ref={scroller}
        className="vehicle-list-scroll"
        role="region"
        aria-label="Vehicles on the map"
        aria-describedby={ids.count}
      >
        <ul className="vehicle-list" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index] as Row;
            const style = STATUS_STYLE[row.status];
            const speed = row.vehicle.state?.speed_kmh;
            return (
              <li
                key={row.vehicle.vehicle_id}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_PX }}
              >
                <button
                  type="button"
                  data-row={item.index}
                  data-vehicle={row.vehicle.vehicle_id}
                  tabIndex={item.index === current ? 0 : -1}
                  aria-current={row.vehicle.vehicle_id === selected ? "true" : undefined}
                  onFocus={() => setActive(item.index)}
                  onKeyDown={onKeyDown}
                  onClick={() => onSelect(row.vehicle.vehicle_id)}
                >
                  <span className="status-dot" style={{ background: style.color }} aria-hidden="true" />
                  <span className="vehicle-list-name">{row.label}</span>
                  <span className="vehicle-list-meta">
                    {style.label}
                    {row.status !== "none" && speed !== null && speed !== undefined
                      ? ` · ${formatSpeed(speed)}`
                      : ""}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    );

  return (
    <section className="vehicle-list-panel" aria-labelledby="vehicle-list-title">
      <h2 id="vehicle-list-title">Vehicles</h2>
      <div className="field">
        <label htmlFor={ids.search}>Find a vehicle</label>
        <input
          id={ids.search}
          type="search"
          value={query}
          placeholder="Plate, name or status"
          onChange={(event) => {
            setQuery(event.target.value);
            setActive(0);
          }}
          onKeyDown={onSearchKeyDown}
        />
      </div>
      <p id={ids.count} className="muted vehicle-list-count">
        {fleet.data ? `${rows.length.toLocaleString()} of ${fleet.data.length.toLocaleString()} vehicles` : ""}
        {fleet.data ? " · Enter opens the first, ↑ ↓ move" : ""}
      </p>
      {body}
    </section>
  );
}
