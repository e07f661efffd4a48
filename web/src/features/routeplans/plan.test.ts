import { describe, expect, it } from "vitest";

import { planIdOf } from "./live";
import {
  formatClock,
  formatDuration,
  formatKm,
  formatWindow,
  lateness,
  moveJob,
  ROUTE_COLOURS,
  routeColour,
  routeDashed,
  sameEdits,
  saveErrorWords,
  UNASSIGNED,
} from "./plan";

const edits = [
  { vehicle: "van-1", job_ids: ["a", "b", "c"] },
  { vehicle: "van-2", job_ids: ["d"] },
];

describe("moveJob", () => {
  it("moves a stop to another route's end, the other routes keeping their order", () => {
    expect(moveJob(edits, "b", "van-2")).toEqual([
      { vehicle: "van-1", job_ids: ["a", "c"] },
      { vehicle: "van-2", job_ids: ["d", "b"] },
    ]);
  });
  it("puts a stop at a position, clamped to the route's length", () => {
    expect(moveJob(edits, "c", "van-2", 0)[1]?.job_ids).toEqual(["c", "d"]);
    expect(moveJob(edits, "a", "van-2", 99)[1]?.job_ids).toEqual(["d", "a"]);
  });
  it("reorders within a route and takes a stop out of every route", () => {
    expect(moveJob(edits, "c", "van-1", 0)[0]?.job_ids).toEqual(["c", "a", "b"]);
    expect(moveJob(edits, "d", UNASSIGNED)).toEqual([edits[0], { vehicle: "van-2", job_ids: [] }]);
  });
  it("puts an unassigned job on a route, and leaves the input as it was", () => {
    expect(moveJob(edits, "z", "van-1", 1)[0]?.job_ids).toEqual(["a", "z", "b", "c"]);
    expect(edits[0]?.job_ids).toEqual(["a", "b", "c"]);
  });
  it("tells a real change from the same routes in another order of vehicles", () => {
    expect(sameEdits(edits, [...edits].reverse())).toBe(true);
    expect(sameEdits(edits, moveJob(edits, "b", "van-2"))).toBe(false);
  });
});

describe("colours", () => {
  it("gives the first eight routes distinct solid colours, then repeats them dashed", () => {
    const first = ROUTE_COLOURS.map((_, i) => routeColour(i));
    expect(new Set(first).size).toBe(8);
    expect(first.every((_, i) => !routeDashed(i))).toBe(true);
    expect(routeColour(8)).toBe(routeColour(0));
    expect(routeDashed(8)).toBe(true);
  });
});

describe("formatting", () => {
  it("writes seconds from the plan's start as clock times and windows", () => {
    expect(formatClock(8 * 3600 + 5 * 60 + 59)).toBe("08:05");
    expect(formatClock(24 * 3600 + 30 * 60)).toBe("+1d 00:30");
    expect(formatWindow([9 * 3600, 12 * 3600])).toBe("09:00–12:00");
    expect(formatWindow(null)).toBe("any time");
  });
  it("writes distances and durations, a dash when unknown", () => {
    expect(formatKm(12345)).toMatch(/^12[.,]3 km$/);
    expect(formatKm(null)).toBe("—");
    expect(formatDuration(95 * 60)).toBe("1 h 35 min");
    expect(formatDuration(20 * 60)).toBe("20 min");
  });
  it("says how late a stop is after its last window", () => {
    expect(lateness({ arrival_s: 100 }, [[0, 200]])).toEqual({ window: [0, 200], late: 0 });
    expect(lateness({ arrival_s: 500 }, [[0, 200], [300, 400]])).toEqual({ window: [300, 400], late: 100 });
    expect(lateness({ arrival_s: 500 }, [])).toEqual({ window: null, late: 0 });
  });
  it("puts a version conflict in plain words", () => {
    expect(saveErrorWords(409, "version_conflict")).toMatch(/Someone changed this plan/);
    expect(saveErrorWords(422, "late at c")).toBe("The routes were not saved: late at c");
  });
});

describe("planIdOf", () => {
  it("finds the plan of a route_plan live item and nothing in others", () => {
    expect(planIdOf({ type: "route_plan.progress", payload: { id: "p1" } })).toBe("p1");
    expect(planIdOf({ type: "dispatch.eta", payload: { id: "p1" } })).toBeNull();
    expect(planIdOf({ type: "route_plan.solved" })).toBeNull();
  });
});
