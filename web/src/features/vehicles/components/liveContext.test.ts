import { describe, expect, it } from "vitest";

import { currentActivity, since, trackerDetails, trackerLabel } from "./liveContext";

const NOW = Date.parse("2026-05-01T12:00:00Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe("time since the last fix", () => {
  it.each([
    [0, "just now"],
    [9_000, "just now"],
    [42_000, "42 s ago"],
    [3 * 60_000 + 59_000, "3 min ago"],
    [5 * 3_600_000 + 1, "5 h ago"],
    [2 * 86_400_000 + 5, "2 d ago"],
    [-30_000, "just now"], // a tracker clock a little ahead
  ])("%i ms ago reads %s", (ms, text) => {
    expect(since(ago(ms), NOW)).toBe(text);
  });

  it("says nothing without a time", () => {
    expect(since(null, NOW)).toBe("—");
    expect(since("not a time", NOW)).toBe("—");
  });
});

describe("the tracker", () => {
  it("goes by its name, else its hardware id; its details name the IMEI", () => {
    const tracker = { id: "t", name: null, protocol: "teltonika", unique_id: "356307042441013" };
    expect(trackerLabel(tracker)).toBe("356307042441013");
    expect(trackerDetails(tracker)).toBe("Teltonika · IMEI 356307042441013");
    const phone = { ...tracker, name: "Anna's phone", protocol: "osmand", unique_id: "anna-1" };
    expect(trackerLabel(phone)).toBe("Anna's phone");
    expect(trackerDetails(phone)).toBe("Anna's phone · OsmAnd · anna-1");
  });
});

describe("the activity between refreshes", () => {
  const vehicle = (activity: "moving" | "offline" | "no_position", ms: number | null) => ({
    activity,
    last_fix: ms === null ? null : { fix_time: ago(ms), latitude: 0, longitude: 0, speed_kmh: 40 },
  });

  it("turns offline once the last fix is older than the rule allows", () => {
    expect(currentActivity(vehicle("moving", 9 * 60_000), NOW)).toBe("moving");
    expect(currentActivity(vehicle("moving", 10 * 60_000 + 1), NOW)).toBe("offline");
    expect(currentActivity(vehicle("offline", 60 * 60_000), NOW)).toBe("offline");
    expect(currentActivity(vehicle("no_position", null), NOW)).toBe("no_position");
  });
});
