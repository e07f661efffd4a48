import { describe, expect, it } from "vitest";

import type { DrivingEvent, Stop, Trip } from "./api";
import {
  buildTimeline,
  dayWindow,
  eventsDuring,
  formatDistance,
  formatDuration,
  lineUpTo,
  placeLabel,
  pointAt,
  trackFromFeature,
  tripAt,
} from "./timeline";

const VEHICLE = "00000000-0000-7000-8000-0000000000a1";

function trip(id: string, start: string, end: string | null, overrides: Partial<Trip> = {}): Trip {
  return {
    id,
    vehicle_id: VEHICLE,
    device_id: "00000000-0000-7000-8000-0000000000d1",
    driver_id: null,
    status: end ? "completed" : "open",
    started_at: start,
    ended_at: end,
    start: { latitude: 60.17, longitude: 24.94, place: null },
    end: end ? { latitude: 60.2, longitude: 24.95, place: null } : null,
    distance_m: 12_345,
    distance_source: "gps",
    duration_s: 1800,
    driving_s: 1500,
    idle_s: 300,
    max_speed_kmh: 82,
    avg_speed_kmh: 29.6,
    fuel_used_l: null,
    fuel_used_pct: null,
    fixes: 100,
    ...overrides,
  };
}

function stop(id: string, start: string, end: string | null): Stop {
  return {
    id,
    vehicle_id: VEHICLE,
    device_id: "00000000-0000-7000-8000-0000000000d1",
    status: end ? "completed" : "open",
    started_at: start,
    ended_at: end,
    at: { latitude: 60.2, longitude: 24.95, place: null },
    duration_s: 600,
    idle_s: 0,
  };
}

describe("the trips timeline", () => {
  it("puts trips and stops in the order they happened, grouped by local day", () => {
    const a = new Date(2026, 11, 3, 8, 0).toISOString();
    const b = new Date(2026, 11, 3, 8, 30).toISOString();
    const c = new Date(2026, 11, 3, 9, 0).toISOString();
    const d = new Date(2026, 11, 4, 7, 0).toISOString();
    const days = buildTimeline([trip("t2", d, null), trip("t1", a, b)], [stop("s1", b, d)]);
    expect(days.map((day) => day.day)).toEqual(["2026-12-03", "2026-12-04"]);
    expect(days[0]?.entries.map((e) => e.kind)).toEqual(["trip", "stop"]);
    expect(days[1]?.entries.map((e) => (e.kind === "trip" ? e.trip.id : e.stop.id))).toEqual(["t2"]);
    expect(c).toBeTruthy();
  });

  it("reads a trip's GeoJSON track, skipping points without a time, in time order", () => {
    const feature = {
      type: "Feature",
      geometry: { type: "LineString", coordinates: [[24.9, 60.1], [24.91, 60.11], [24.92, 60.12]] },
      properties: { times: ["2026-12-03T08:00:10Z", "2026-12-03T08:00:00Z", "nonsense"], speeds_kmh: [40, null, 50] },
    };
    const points = trackFromFeature(feature);
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({ lng: 24.91, speedKmh: null });
    expect(points[1]).toMatchObject({ lng: 24.9, speedKmh: 40 });
    expect(trackFromFeature(null)).toEqual([]);
    expect(trackFromFeature({ geometry: { type: "Point", coordinates: "x" } })).toEqual([]);
  });

  it("places the playback marker between fixes and draws the driven part up to it", () => {
    const track = [
      { time: 0, lng: 0, lat: 0, speedKmh: 10 },
      { time: 10, lng: 10, lat: 0, speedKmh: 20 },
      { time: 20, lng: 10, lat: 10, speedKmh: 30 },
    ];
    expect(pointAt(track, 5)).toMatchObject({ lng: 5, lat: 0 });
    expect(pointAt(track, -1)).toBe(track[0]);
    expect(pointAt(track, 99)).toBe(track[2]);
    expect(pointAt([], 1)).toBeNull();
    expect(lineUpTo(track, 15)).toEqual([[0, 0], [10, 0], [10, 5]]);
  });

  it("finds the trip under way at a moment, else the next one", () => {
    const trips = [
      trip("t1", "2026-12-03T08:00:00Z", "2026-12-03T08:30:00Z"),
      trip("t2", "2026-12-03T10:00:00Z", "2026-12-03T10:30:00Z"),
    ];
    expect(tripAt(trips, Date.parse("2026-12-03T08:10:00Z"))?.id).toBe("t1");
    expect(tripAt(trips, Date.parse("2026-12-03T09:00:00Z"))?.id).toBe("t2");
    expect(tripAt(trips, Date.parse("2026-12-03T11:00:00Z"))).toBeNull();
  });

  it("keeps the events of the trip's vehicle within the trip", () => {
    const t = trip("t1", "2026-12-03T08:00:00Z", "2026-12-03T08:30:00Z");
    const event = (id: string, at: string, vehicle = VEHICLE) => ({ id, started_at: at, vehicle_id: vehicle }) as DrivingEvent;
    const kept = eventsDuring(
      [
        event("late", "2026-12-03T08:20:00Z"),
        event("early", "2026-12-03T08:05:00Z"),
        event("after", "2026-12-03T09:00:00Z"),
        event("other", "2026-12-03T08:10:00Z", "00000000-0000-7000-8000-0000000000a2"),
      ],
      t,
    );
    expect(kept.map((e) => e.id)).toEqual(["early", "late"]);
  });

  it("says durations, distances and places in plain words", () => {
    expect(formatDuration(40)).toBe("40 s");
    expect(formatDuration(12 * 60)).toBe("12 min");
    expect(formatDuration(65 * 60)).toBe("1 h 05 min");
    expect(formatDuration(null)).toBe("—");
    expect(formatDistance(950)).toBe("950 m");
    expect(formatDistance(12_345)).toBe("12.3 km");
    expect(placeLabel({ latitude: 60.1, longitude: 24.9, place: { kind: "street", name: "Mannerheimintie", near: false, distance_m: 3, label: "Mannerheimintie" } })).toBe("Mannerheimintie");
    expect(placeLabel({ latitude: 60.1, longitude: 24.9, place: null })).toBe("60.10000, 24.90000");
  });

  it("spans the chosen day and the days before it", () => {
    const { from, to } = dayWindow("2026-12-05", 7);
    expect(new Date(from).getDate()).toBe(29);
    expect(new Date(to).getDate()).toBe(6);
  });
});
