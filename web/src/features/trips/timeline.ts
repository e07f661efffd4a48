/** The trips screen's logic: a window's trips and stops as days, a trip's track as points. */
import { isoDate } from "@/lib/dates";
import { type TrackPoint } from "@/lib/track";

import type { DrivingEvent, Place, Stop, Trip } from "./api";

export { lineUpTo, pointAt, type TrackPoint } from "@/lib/track";

export type TimelineEntry = { kind: "trip"; at: number; trip: Trip } | { kind: "stop"; at: number; stop: Stop };

export interface TimelineDay {
  /** YYYY-MM-DD, local */
  day: string;
  entries: TimelineEntry[];
}

/** Trips and stops in the order they happened, grouped by the local day each started on. */
export function buildTimeline(trips: readonly Trip[], stops: readonly Stop[]): TimelineDay[] {
  const entries: TimelineEntry[] = [
    ...trips.map((trip) => ({ kind: "trip" as const, at: Date.parse(trip.started_at), trip })),
    ...stops.map((stop) => ({ kind: "stop" as const, at: Date.parse(stop.started_at), stop })),
  ].filter((entry) => Number.isFinite(entry.at));
  entries.sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === "stop" ? -1 : 1));
  const days: TimelineDay[] = [];
  for (const entry of entries) {
    const day = isoDate(new Date(entry.at));
    const last = days.at(-1);
    if (last?.day === day) last.entries.push(entry);
    else days.push({ day, entries: [entry] });
  }
  return days;
}

/** A trip's GeoJSON track (a LineString, its fixes' times and speeds in properties) as points. */
export function trackFromFeature(feature: unknown): TrackPoint[] {
  if (!feature || typeof feature !== "object") return [];
  const { geometry, properties } = feature as {
    geometry?: { type?: string; coordinates?: unknown };
    properties?: { times?: unknown; speeds_kmh?: unknown };
  };
  const times = Array.isArray(properties?.times) ? properties.times : [];
  const speeds = Array.isArray(properties?.speeds_kmh) ? properties.speeds_kmh : [];
  let coordinates: unknown[] = [];
  if (geometry?.type === "LineString" && Array.isArray(geometry.coordinates)) coordinates = geometry.coordinates;
  else if (geometry?.type === "Point" && Array.isArray(geometry.coordinates)) coordinates = [geometry.coordinates];
  const points: TrackPoint[] = [];
  coordinates.forEach((c, i) => {
    if (!Array.isArray(c)) return;
    const [lng, lat] = c as [unknown, unknown];
    const time = typeof times[i] === "string" ? Date.parse(times[i] as string) : NaN;
    if (typeof lng !== "number" || typeof lat !== "number" || !Number.isFinite(time)) return;
    const speed = speeds[i];
    points.push({ time, lng, lat, speedKmh: typeof speed === "number" ? speed : null });
  });
  return points.sort((a, b) => a.time - b.time);
}

/** The trip that was under way at `time` (or the one that started nearest after it). */
export function tripAt(trips: readonly Trip[], time: number): Trip | null {
  let next: Trip | null = null;
  for (const trip of trips) {
    const start = Date.parse(trip.started_at);
    const end = trip.ended_at ? Date.parse(trip.ended_at) : Date.now();
    if (start <= time && time <= end) return trip;
    if (start > time && (!next || start < Date.parse(next.started_at))) next = trip;
  }
  return next;
}

/** The events that happened during a trip. */
export function eventsDuring(events: readonly DrivingEvent[], trip: Trip): DrivingEvent[] {
  const start = Date.parse(trip.started_at);
  const end = trip.ended_at ? Date.parse(trip.ended_at) : Infinity;
  return events
    .filter((e) => {
      const at = Date.parse(e.started_at);
      return e.vehicle_id === trip.vehicle_id && at >= start && at <= end;
    })
    .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
}

/** "1 h 05 min", "12 min", "40 s": durations in plain words. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

export function formatDistance(metres: number | null | undefined): string {
  if (metres === null || metres === undefined || !Number.isFinite(metres)) return "—";
  if (metres < 1000) return `${Math.round(metres)} m`;
  return `${(metres / 1000).toFixed(metres < 100_000 ? 1 : 0)} km`;
}

/** A place in words: the geofence, depot or street, else its coordinates. */
export function placeLabel(point: Place | null | undefined): string {
  if (!point) return "—";
  return point.place?.label ?? `${point.latitude.toFixed(5)}, ${point.longitude.toFixed(5)}`;
}

/** The window of the local day `day` (YYYY-MM-DD) plus `days` - 1 before it, as ISO times. */
export function dayWindow(day: string, days: number): { from: string; to: string } {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return {
    from: new Date(y, m - 1, d - days + 1).toISOString(),
    to: new Date(y, m - 1, d + 1).toISOString(),
  };
}
