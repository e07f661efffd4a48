import { describe, expect, it } from "vitest";

import { drivingEventLabel } from "@/lib/drivingEvents";

import type { ScorePeriod } from "./api";
import { drivingTime, lastDays, leaderboardEnds, playbackLink, scoreBand, scoreTrend } from "./scorecard";

const period = (start: string, score: number): ScorePeriod => ({
  score,
  start,
  end: start,
  distance_km: 10,
  driving_s: 600,
  deductions: [],
  trip_id: null,
  vehicle_id: null,
});

describe("the scorecard", () => {
  it("says how the score moved, oldest period first", () => {
    expect(scoreTrend([period("2026-12-02T00:00:00Z", 90), period("2026-12-01T00:00:00Z", 80)])?.words).toBe(
      "Up 10 points over these periods",
    );
    expect(scoreTrend([period("2026-12-01T00:00:00Z", 90), period("2026-12-02T00:00:00Z", 89)])?.words).toBe(
      "Down 1 point over these periods",
    );
    expect(scoreTrend([period("2026-12-01T00:00:00Z", 90)])).toBeNull();
  });

  it("links an event to its vehicle's trips at that moment", () => {
    const at = new Date(2026, 11, 3, 8, 15);
    const link = playbackLink({ vehicle_id: "v1", started_at: at.toISOString() });
    const url = new URL(link, "http://x");
    expect(url.pathname).toBe("/vehicles/v1/trips");
    expect(url.searchParams.get("day")).toBe("2026-12-03");
    expect(Number(url.searchParams.get("at"))).toBe(at.getTime());
  });

  it("bands scores and names kinds in words", () => {
    expect([scoreBand(95), scoreBand(75), scoreBand(40)]).toEqual(["good", "fair", "poor"]);
    expect(drivingEventLabel("harsh_braking")).toBe("Harsh braking");
    expect([drivingTime(165), drivingTime(7500)]).toEqual(["3 min", "2 h 05 min"]);
    const { from, to } = lastDays(7, new Date(2026, 11, 5, 12));
    expect(new Date(from).getDate()).toBe(29);
    expect(new Date(to).getDate()).toBe(6);
  });
});

describe("the leaderboard's ends", () => {
  const board = (n: number) => Array.from({ length: n }, (_, i) => ({ rank: n - i }));
  it("takes the best and the worst, ranked, never one driver twice", () => {
    const { top, bottom } = leaderboardEnds(board(8), 3);
    expect(top.map((e) => e.rank)).toEqual([1, 2, 3]);
    expect(bottom.map((e) => e.rank)).toEqual([6, 7, 8]);
    const short = leaderboardEnds(board(4), 3);
    expect(short.top.map((e) => e.rank)).toEqual([1, 2, 3]);
    expect(short.bottom.map((e) => e.rank)).toEqual([4]);
    expect(leaderboardEnds(board(2), 3)).toEqual({ top: [{ rank: 1 }, { rank: 2 }], bottom: [] });
    expect(leaderboardEnds([], 3)).toEqual({ top: [], bottom: [] });
  });
});
