// How the vehicles list and page word a vehicle's live context: time since its last fix and
// where it is. Free of React, so it is tested on its own.
import { STALE_AFTER_MS, type Activity } from "@/lib/vehicleStatus";

import type { Place, TrackerProtocol, VehicleOverview } from "../api";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago" ("—" without a time). */
export function since(iso: string | null | undefined, now: number): string {
  if (!iso) return "—";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "—";
  const ago = Math.max(0, now - then);
  if (ago < 10_000) return "just now";
  if (ago < MINUTE) return `${Math.floor(ago / 1000)} s ago`;
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  return `${Math.floor(ago / DAY)} d ago`;
}

/**
 * The server's activity, aged between refreshes by the same rule (a fix older than
 * STALE_AFTER_MS is offline), so a row never says "Moving · 25 min ago".
 */
export function currentActivity(vehicle: Pick<VehicleOverview, "activity" | "last_fix">, now: number): Activity {
  const fix = vehicle.last_fix?.fix_time;
  if (fix && vehicle.activity !== "no_position" && now - Date.parse(fix) > STALE_AFTER_MS) return "offline";
  return vehicle.activity;
}

/** How often "… ago" is worded again: every 15 s is enough for minutes. */
export const SINCE_TICK_MS = 15_000;

export function placeText(place: Place | null | undefined): string {
  return place?.label ?? "—";
}

const PROTOCOL_NAMES: Partial<Record<TrackerProtocol, string>> = {
  teltonika: "Teltonika",
  gt06: "GT06",
  h02: "H02",
  osmand: "OsmAnd",
  other: "Other",
};

export function protocolName(protocol: string): string {
  return PROTOCOL_NAMES[protocol as TrackerProtocol] ?? protocol;
}

type Tracker = NonNullable<VehicleOverview["tracker"]>;

/** The tracker as a list shows it: its name, else its hardware id. */
export function trackerLabel(tracker: Tracker): string {
  return tracker.name || tracker.unique_id;
}

/** Everything about the tracker in one line (a title, a screen reader's reading). */
export function trackerDetails(tracker: Tracker): string {
  const id = /^\d{15}$/.test(tracker.unique_id) ? `IMEI ${tracker.unique_id}` : tracker.unique_id;
  return [tracker.name, protocolName(tracker.protocol), id].filter(Boolean).join(" · ");
}
