import { describe, expect, it } from "vitest";

import { lineUpTo, pointAt, type TrackPoint } from "./track";

const track: TrackPoint[] = [
  { time: 1000, lng: 24.0, lat: 60.0, speedKmh: 40 },
  { time: 2000, lng: 24.1, lat: 60.0, speedKmh: 50 },
  { time: 4000, lng: 24.1, lat: 60.2, speedKmh: 0 },
];

describe("the replay marker", () => {
  it("stands on the fixes, moves in proportion between them, and stays at the ends", () => {
    expect(pointAt(track, 0)).toEqual(track[0]);
    expect(pointAt(track, 2000)?.lng).toBeCloseTo(24.1);
    const between = pointAt(track, 3000);
    expect(between?.lat).toBeCloseTo(60.1);
    expect(between?.speedKmh).toBe(50);
    expect(pointAt(track, 9999)).toEqual(track[2]);
    expect(pointAt([], 1)).toBeNull();
  });

  it("draws the part driven so far", () => {
    expect(lineUpTo(track, 1500)).toEqual([
      [24.0, 60.0],
      [24.05, 60.0],
    ]);
  });
});
