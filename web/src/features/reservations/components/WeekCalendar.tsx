import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";

import type { QueuedChange } from "@/lib/offline";

import type { Reservation } from "../api";
import { addDays, addHours, DAY_MS, formatDayShort, formatLongDay, formatPeriod, isoDate } from "./dates";

const ROW_PX = 32;
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
const FIRST_HOUR_SHOWN = 7;
const pad = (n: number) => String(n).padStart(2, "0");

export interface Draft {
  start: Date;
  end: Date;
  overlapping: boolean;
}

interface Props {
  weekStart: Date;
  vehicleLabel: string;
  reservations: readonly Reservation[];
  /** The booking being written in the form, drawn as a preview. */
  draft: Draft | null;
  changeFor: (reservationId: string) => QueuedChange | undefined;
  onPickSlot: (start: Date) => void;
  onPickReservation: (reservation: Reservation) => void;
  onWeek: (delta: number) => void;
}

interface Segment {
  key: string;
  day: number;
  top: number;
  height: number;
  text: string;
  className: string;
}

/** The parts of [start, end) that fall on each day of the week, placed on the hour grid. */
function segments(weekStart: Date, start: Date, end: Date): { day: number; top: number; height: number }[] {
  const found = [];
  for (let day = 0; day < 7; day += 1) {
    const dayStart = addDays(weekStart, day);
    const dayEnd = addDays(weekStart, day + 1);
    const from = Math.max(start.getTime(), dayStart.getTime());
    const to = Math.min(end.getTime(), dayEnd.getTime());
    if (from < to) {
      const top = ((from - dayStart.getTime()) / DAY_MS) * 24 * ROW_PX;
      found.push({ day, top, height: Math.max(((to - from) / DAY_MS) * 24 * ROW_PX, 6) });
    }
  }
  return found;
}

function stateSuffix(change: QueuedChange | undefined): string {
  if (!change || change.status === "synced") return "";
  if (change.status === "conflict" || change.status === "failed") return " (not saved: conflict)";
  return " (pending sync)";
}

/**
 * A vehicle's week, hour by hour: an ARIA grid you can walk with the arrow keys (Page Up and
 * Page Down change the week); Enter on a free hour starts a booking there, on a booked hour
 * opens that booking. Bookings are drawn over the grid (the cells carry the same facts).
 */
export function WeekCalendar(props: Props) {
  const { weekStart, reservations, draft, changeFor, onPickSlot, onPickReservation, onWeek } = props;
  const days = useMemo(() => Array.from({ length: 7 }, (_, i) => addDays(weekStart, i)), [weekStart]);
  const todayIndex = days.findIndex((day) => isoDate(day) === isoDate(new Date()));
  const [focus, setFocus] = useState({ day: Math.max(todayIndex, 0), hour: 9 });
  const grid = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  const hintId = useId();
  const live = reservations.filter((r) => r.status !== "cancelled");

  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = FIRST_HOUR_SHOWN * ROW_PX;
  }, []);

  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    grid.current
      ?.querySelector<HTMLElement>(`[data-day="${focus.day}"][data-hour="${focus.hour}"]`)
      ?.focus();
  }, [focus, weekStart]);

  const bookingAt = (day: number, hour: number) => {
    const from = addHours(days[day]!, hour);
    const to = addHours(from, 1);
    return live.find((r) => new Date(r.starts_at) < to && from < new Date(r.ends_at));
  };

  const activate = (day: number, hour: number) => {
    const booking = bookingAt(day, hour);
    if (booking) onPickReservation(booking);
    else onPickSlot(addHours(days[day]!, hour));
  };

  const onKeyDown = (event: KeyboardEvent, day: number, hour: number) => {
    const move = (next: { day: number; hour: number }) => {
      event.preventDefault();
      moved.current = true;
      setFocus({ day: Math.min(6, Math.max(0, next.day)), hour: Math.min(23, Math.max(0, next.hour)) });
    };
    switch (event.key) {
      case "ArrowUp":
        return move({ day, hour: hour - 1 });
      case "ArrowDown":
        return move({ day, hour: hour + 1 });
      case "ArrowLeft":
        return move({ day: day - 1, hour });
      case "ArrowRight":
        return move({ day: day + 1, hour });
      case "Home":
        return move({ day: 0, hour });
      case "End":
        return move({ day: 6, hour });
      case "PageUp":
        event.preventDefault();
        moved.current = true;
        return onWeek(-1);
      case "PageDown":
        event.preventDefault();
        moved.current = true;
        return onWeek(1);
      case "Enter":
      case " ":
        event.preventDefault();
        return activate(day, hour);
      default:
        return undefined;
    }
  };

  const blocks: Segment[] = live.flatMap((r) => {
    const change = changeFor(r.id);
    const pending = change && change.status !== "synced";
    const problem = change?.status === "conflict" || change?.status === "failed";
    const start = new Date(r.starts_at);
    const end = new Date(r.ends_at);
    return segments(weekStart, start, end).map((s) => ({
      ...s,
      key: `${r.id}-${s.day}`,
      text: `${r.purpose || "Reserved"}${stateSuffix(change)}`,
      className: `week-block${pending ? " week-block-pending" : ""}${problem ? " week-block-problem" : ""}`,
    }));
  });
  if (draft) {
    blocks.push(
      ...segments(weekStart, draft.start, draft.end).map((s) => ({
        ...s,
        key: `draft-${s.day}`,
        text: draft.overlapping ? "Your booking overlaps" : "Your booking",
        className: `week-block week-block-draft${draft.overlapping ? " week-block-clash" : ""}`,
      })),
    );
  }

  return (
    <div className="week">
      <p id={hintId} className="muted small">
        Arrow keys move between hours and days, Page Up and Page Down change the week; Enter
        books a free hour or opens a booking.
      </p>
      <div
        ref={grid}
        role="grid"
        className="week-grid"
        aria-label={`${props.vehicleLabel}: week of ${formatLongDay(weekStart)}`}
        aria-describedby={hintId}
      >
        <div role="rowgroup" className="week-head">
          <div role="row" className="week-row">
            <span role="columnheader" className="week-hour">
              <span className="visually-hidden">Hour</span>
            </span>
            {days.map((day, i) => (
              <span
                key={i}
                role="columnheader"
                aria-label={formatLongDay(day)}
                className={i === todayIndex ? "week-today" : undefined}
              >
                {formatDayShort(day)}
              </span>
            ))}
          </div>
        </div>
        <div role="rowgroup" className="week-body" ref={scroller}>
          <div className="week-rows">
            {HOURS.map((hour) => (
              <div role="row" className="week-row" key={hour}>
                <span role="rowheader" className="week-hour">
                  {pad(hour)}:00
                </span>
                {days.map((day, i) => {
                  const booking = bookingAt(i, hour);
                  const focused = focus.day === i && focus.hour === hour;
                  const what = booking
                    ? `booked: ${booking.purpose || "reservation"}, ${formatPeriod(new Date(booking.starts_at), new Date(booking.ends_at))}${stateSuffix(changeFor(booking.id))}`
                    : "free";
                  return (
                    <div
                      key={i}
                      role="gridcell"
                      tabIndex={focused ? 0 : -1}
                      data-day={i}
                      data-hour={hour}
                      aria-label={`${formatLongDay(day)} ${pad(hour)}:00, ${what}`}
                      className={`week-cell${booking ? " week-cell-busy" : ""}`}
                      onClick={() => {
                        setFocus({ day: i, hour });
                        activate(i, hour);
                      }}
                      onKeyDown={(event) => onKeyDown(event, i, hour)}
                    />
                  );
                })}
              </div>
            ))}
            <div className="week-blocks" aria-hidden="true">
              {blocks.map((block) => (
                <div
                  key={block.key}
                  className={block.className}
                  style={{
                    top: block.top,
                    height: block.height,
                    left: `calc(4rem + (100% - 4rem) * ${block.day} / 7 + 2px)`,
                    width: "calc((100% - 4rem) / 7 - 4px)",
                  }}
                >
                  {block.text}
                </div>
              ))}
            </div>
          </div>
        </div>
      </div>
    </div>
  );
}
