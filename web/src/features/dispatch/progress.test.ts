import { describe, expect, it } from "vitest";

import type { QueuedChange } from "@/lib/offline";

import type { DispatchStop } from "./api";
import { stopOf } from "./testData";
import {
  formatMinutes,
  formatRelative,
  formatWindow,
  latenessOf,
  latenessText,
  nextStop,
  stepOf,
  stopLateness,
  today,
  withQueuedSteps,
} from "./progress";

const stop = (id: string, seq: number, status: DispatchStop["status"] = "pending"): DispatchStop => ({
  ...stopOf(seq, { status }),
  id,
});

const change = (path: string, status: QueuedChange["status"] = "pending") =>
  ({ request: { method: "POST", path }, status }) as unknown as QueuedChange;

describe("lateness", () => {
  it("is on time at 0, late by whole minutes after it (at least one)", () => {
    expect(latenessOf(0)).toEqual({ state: "on_time" });
    expect(latenessOf(-3)).toEqual({ state: "on_time" });
    expect(latenessOf(0.2)).toEqual({ state: "late", minutes: 1 });
    expect(latenessOf(12.4)).toEqual({ state: "late", minutes: 12 });
    expect(latenessOf(null)).toEqual({ state: "unknown" });
    expect(latenessOf(Number.NaN)).toEqual({ state: "unknown" });
  });

  it("says it in words, hours past the hour", () => {
    expect(latenessText(latenessOf(0))).toBe("On time");
    expect(latenessText(latenessOf(12))).toBe("Late by 12 min");
    expect(latenessText(latenessOf(65))).toBe("Late by 1 h 5 min");
    expect(latenessText(latenessOf(120))).toBe("Late by 2 h");
    expect(latenessText(latenessOf(undefined))).toBe("ETA unknown");
  });

  it("of a stop: the server's minutes, else its ETA against the end of its window", () => {
    const s = { eta_at: "2026-12-05T10:20:00Z", window_end_at: "2026-12-05T10:00:00Z", late_minutes: null };
    expect(stopLateness({ ...s, late_minutes: 3 })).toEqual({ state: "late", minutes: 3 });
    expect(stopLateness(s)).toEqual({ state: "late", minutes: 20 });
    expect(stopLateness({ ...s, window_end_at: "2026-12-05T10:30:00Z" })).toEqual({ state: "on_time" });
    expect(stopLateness({ ...s, window_end_at: null })).toEqual({ state: "on_time" });
    expect(stopLateness({ ...s, eta_at: null })).toEqual({ state: "unknown" });
  });
});

describe("times", () => {
  it("minutes and ETAs relative to now", () => {
    expect(formatMinutes(0)).toBe("0 min");
    expect(formatMinutes(59.6)).toBe("1 h");
    const now = Date.parse("2026-12-05T10:00:00Z");
    expect(formatRelative("2026-12-05T10:12:00Z", now)).toBe("in 12 min");
    expect(formatRelative("2026-12-05T09:55:00Z", now)).toBe("5 min ago");
    expect(formatRelative("2026-12-05T10:00:20Z", now)).toBe("now");
    expect(formatRelative(null, now)).toBe("");
    expect(formatRelative("not a time", now)).toBe("");
  });

  it("windows with either end open", () => {
    expect(formatWindow(null, null)).toBe("Any time");
    expect(formatWindow("2026-12-05T09:00:00Z", null)).toMatch(/^from \d/);
    expect(formatWindow(null, "2026-12-05T09:00:00Z")).toMatch(/^by \d/);
    expect(formatWindow("2026-12-05T09:00:00Z", "2026-12-05T11:00:00Z")).toMatch(/^\d\d:\d\d.*–\d\d:\d\d/);
  });

  it("today in the device's zone", () => {
    expect(today(new Date(2026, 0, 9, 23, 30))).toBe("2026-01-09");
  });
});

describe("the driver's queued steps", () => {
  it("are read from the change's path", () => {
    expect(stepOf(change("/api/v1/dispatch/routes/r1/stops/s2/complete"))).toEqual({ stopId: "s2", action: "complete" });
    expect(stepOf(change("/api/v1/vehicles/v1"))).toBeNull();
  });

  it("show over the server's status until it has them, never undo it, and not when refused", () => {
    const stops = [stop("a", 1), stop("b", 2), stop("c", 3, "completed")];
    const shown = withQueuedSteps(stops, [
      change("/api/v1/dispatch/routes/r/stops/a/arrive", "synced"),
      change("/api/v1/dispatch/routes/r/stops/a/complete"),
      change("/api/v1/dispatch/routes/r/stops/b/fail", "failed"),
      change("/api/v1/dispatch/routes/r/stops/c/arrive"),
    ]);
    expect(shown.map((s) => s.status)).toEqual(["completed", "pending", "completed"]);
    expect(nextStop(shown)?.id).toBe("b");
  });

  it("the next stop is the first not done in route order", () => {
    expect(nextStop([stop("b", 2), stop("a", 1, "failed"), stop("c", 3, "arrived")])?.id).toBe("b");
    expect(nextStop([stop("a", 1, "completed")])).toBeUndefined();
  });
});
