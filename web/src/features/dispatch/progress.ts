// The dispatch screens' rules apart from the screens: times, lateness, a stop's status with
// the driver's queued steps laid over the server's, the next stop.
import type { QueuedChange } from "@/lib/offline";

import type { DispatchStop, StopAction, StopStatus } from "./api";
import type { MapStop } from "./components/RouteMapTypes";

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** "14:05", or "—" when unknown. */
export function formatClock(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : clock.format(date);
}

/** "09:00–11:30", "from 09:00", "by 11:30", or "Any time". */
export function formatWindow(start: string | null, end: string | null): string {
  if (start && end) return `${formatClock(start)}–${formatClock(end)}`;
  if (start) return `from ${formatClock(start)}`;
  if (end) return `by ${formatClock(end)}`;
  return "Any time";
}

/** A duration in whole minutes for people: "4 min", "1 h", "1 h 5 min". */
export function formatMinutes(totalMinutes: number): string {
  const minutes = Math.max(0, Math.round(totalMinutes));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** "in 12 min", "now", "5 min ago": an ETA against now. */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return "";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  const minutes = Math.round((at - now) / 60_000);
  if (minutes === 0) return "now";
  return minutes > 0 ? `in ${formatMinutes(minutes)}` : `${formatMinutes(-minutes)} ago`;
}

export type Lateness = { state: "unknown" } | { state: "on_time" } | { state: "late"; minutes: number };

/** Minutes past the window (the server's `late_minutes`) → on time, or late by whole minutes. */
export function latenessOf(minutes: number | null | undefined): Lateness {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return { state: "unknown" };
  if (minutes <= 0) return { state: "on_time" };
  return { state: "late", minutes: Math.max(1, Math.round(minutes)) };
}

/**
 * A stop's lateness: the server's figure when it has one, else its ETA against the end of its
 * window (no window: on time; no ETA: unknown).
 */
export function stopLateness(stop: Pick<DispatchStop, "eta_at" | "window_end_at" | "late_minutes">): Lateness {
  if (stop.late_minutes !== null && stop.late_minutes !== undefined) return latenessOf(stop.late_minutes);
  if (!stop.eta_at) return { state: "unknown" };
  if (!stop.window_end_at) return { state: "on_time" };
  const eta = Date.parse(stop.eta_at);
  const end = Date.parse(stop.window_end_at);
  if (Number.isNaN(eta) || Number.isNaN(end)) return { state: "unknown" };
  return latenessOf((eta - end) / 60_000);
}

/** "On time", "Late by 12 min", "ETA unknown": the words that go with the colour. */
export function latenessText(lateness: Lateness): string {
  switch (lateness.state) {
    case "on_time":
      return "On time";
    case "late":
      return `Late by ${formatMinutes(lateness.minutes)}`;
    case "unknown":
      return "ETA unknown";
  }
}

const AFTER: Record<StopAction, StopStatus> = { arrive: "arrived", complete: "completed", fail: "failed" };

/** The stop and action a queued change is about (its path says), or null. */
export function stepOf(change: Pick<QueuedChange, "request">): { stopId: string; action: StopAction } | null {
  const match = /\/stops\/([^/]+)\/(arrive|complete|fail)$/.exec(change.request.path);
  return match ? { stopId: match[1] ?? "", action: match[2] as StopAction } : null;
}

/**
 * Each stop's status as the driver sees it: the server's, with the driver's own steps not yet
 * refused laid over it (a step made offline shows at once and stays through a reload).
 */
export function withQueuedSteps(stops: readonly DispatchStop[], changes: readonly QueuedChange[]): DispatchStop[] {
  const latest = new Map<string, StopStatus>();
  for (const change of changes) {
    if (change.status === "failed" || change.status === "conflict") continue;
    const step = stepOf(change);
    if (step) latest.set(step.stopId, AFTER[step.action]);
  }
  return stops.map((stop) => {
    const queued = latest.get(stop.id);
    if (!queued || rank(queued) <= rank(stop.status)) return stop;
    return { ...stop, status: queued };
  });
}

function rank(status: StopStatus): number {
  return { pending: 0, arrived: 1, completed: 2, failed: 2 }[status];
}

export const isDone = (status: StopStatus) => status === "completed" || status === "failed";

/** The first stop not yet done, in route order (or undefined at the day's end). */
export function nextStop<S extends Pick<DispatchStop, "status" | "seq">>(stops: readonly S[]): S | undefined {
  return [...stops].sort((a, b) => a.seq - b.seq).find((stop) => !isDone(stop.status));
}

/** Today as YYYY-MM-DD in the device's time zone. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Stops (in route order) as the route's map draws them, numbered from 1. */
export function mapStops(stops: readonly DispatchStop[], nextId: string | undefined): MapStop[] {
  return stops.map((s, index) => ({
    id: s.id,
    sequence: index + 1,
    lat: s.latitude,
    lon: s.longitude,
    status: s.status,
    next: s.id === nextId,
  }));
}

/** The route's vehicle for people: its name, else the plan's key for it. */
export const vehicleText = (route: { vehicle: string; vehicle_name?: string | null }) =>
  route.vehicle_name || route.vehicle;
