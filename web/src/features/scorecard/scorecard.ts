/** The scorecard's logic: the trend of a driver's scores and the way back to an event's trip. */
import { isoDate } from "@/lib/dates";

import type { EventPoints, ScorePeriod } from "./api";

export interface Trend {
  /** last period's score minus the first's, rounded to a point */
  change: number;
  words: string;
}

/** How the score moved over the periods (oldest first): a sentence, not only an arrow. */
export function scoreTrend(periods: readonly ScorePeriod[]): Trend | null {
  const scored = [...periods].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const first = scored[0];
  const last = scored.at(-1);
  if (!first || !last || scored.length < 2) return null;
  const change = Math.round(last.score - first.score);
  if (change === 0) return { change, words: "Steady over these periods" };
  const points = Math.abs(change) === 1 ? "point" : "points";
  return change > 0
    ? { change, words: `Up ${change} ${points} over these periods` }
    : { change, words: `Down ${-change} ${points} over these periods` };
}

/** The trips screen at the moment of an event: its vehicle, its day, the trip under way then. */
export function playbackLink(event: Pick<EventPoints, "vehicle_id" | "started_at">): string {
  const at = Date.parse(event.started_at);
  const params = new URLSearchParams({ day: isoDate(new Date(at)), at: String(at) });
  return `/vehicles/${event.vehicle_id}/trips?${params.toString()}`;
}

/** Scores in words for the eye: 85 and up is good, under 70 needs attention. */
export function scoreBand(score: number): "good" | "fair" | "poor" {
  if (score >= 85) return "good";
  if (score >= 70) return "fair";
  return "poor";
}

/** The window ending today: the last `days` local days. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - days + 1);
  const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return { from: start.toISOString(), to: end.toISOString() };
}

/** Driving time in plain words: "3 min", "2 h 05 min". */
export function drivingTime(seconds: number): string {
  const minutes = Math.max(0, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * The leaderboard's two ends: its first `size` entries and its last `size` (worst last), never
 * the same driver in both; a short board is all "top".
 */
export function leaderboardEnds<T extends { rank: number }>(entries: readonly T[], size: number): { top: T[]; bottom: T[] } {
  const ranked = [...entries].sort((a, b) => a.rank - b.rank);
  const top = ranked.slice(0, size);
  const bottom = ranked.slice(Math.max(size, ranked.length - size));
  return { top, bottom };
}
