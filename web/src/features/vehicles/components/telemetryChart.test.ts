import { describe, expect, it } from "vitest";

import {
  bandPath,
  dotsPath,
  extent,
  linearScale,
  linePath,
  nearestIndex,
  overallAverage,
  splitAtGaps,
  type ChartPoint,
} from "./telemetryChart";

const point = (t: number, avg: number, min = avg, max = avg, count = 1): ChartPoint => ({ t, avg, min, max, count });
const identity = (v: number) => v;

describe("scales", () => {
  it("maps a domain onto a range, reversed ranges too", () => {
    const x = linearScale([100, 200], [0, 300]);
    expect(x(100)).toBe(0);
    expect(x(150)).toBe(150);
    expect(x(200)).toBe(300);
    const y = linearScale([0, 50], [80, 0]); // SVG y grows downwards
    expect(y(0)).toBe(80);
    expect(y(50)).toBe(0);
    expect(y(25)).toBe(40);
  });

  it("puts a flat domain in the middle of the range", () => {
    expect(linearScale([7, 7], [75, 5])(7)).toBe(40);
  });
});

describe("extent and average", () => {
  it("spans the lowest minimum and the highest maximum", () => {
    expect(extent([point(0, 5, 1, 9), point(1, 6, 2, 12)])).toEqual([1, 12]);
    expect(extent([])).toBeNull();
  });

  it("weights each bucket's average by its readings", () => {
    expect(overallAverage([point(0, 10, 10, 10, 3), point(1, 50, 50, 50, 1)])).toBe(20);
    expect(overallAverage([])).toBeNull();
  });
});

describe("gaps", () => {
  it("starts a new run where the next point is more than the gap away", () => {
    const points = [0, 10, 20, 50, 60, 100].map((t) => point(t, t));
    const runs = splitAtGaps(points, 15);
    expect(runs.map((run) => run.map((p) => p.t))).toEqual([[0, 10, 20], [50, 60], [100]]);
  });

  it("keeps a run whole at exactly the gap, and has no runs without points", () => {
    expect(splitAtGaps([point(0, 1), point(15, 1)], 15)).toHaveLength(1);
    expect(splitAtGaps([], 15)).toEqual([]);
  });
});

describe("paths", () => {
  const runs = splitAtGaps([point(0, 1, 0, 2), point(10, 3, 2, 4), point(40, 5, 4, 6), point(50, 7, 6, 8), point(90, 9)], 15);

  it("draws one subpath per run of two or more points", () => {
    expect(linePath(runs, identity, identity)).toBe("M0 1L10 3M40 5L50 7");
  });

  it("draws a lone bucket as a dot", () => {
    expect(dotsPath(runs, identity, identity)).toBe("M90 9h0");
  });

  it("closes a band along the maxima and back along the minima", () => {
    expect(bandPath(runs, identity, identity)).toBe("M0 2L10 4L10 2L0 0ZM40 6L50 8L50 6L40 4Z");
  });

  it("rounds coordinates to hundredths", () => {
    const x = (v: number) => v / 3;
    expect(linePath([[point(1, 1), point(2, 2)]], x, identity)).toBe("M0.33 1L0.67 2");
  });

  it("is empty without points", () => {
    expect(linePath([], identity, identity)).toBe("");
    expect(bandPath([], identity, identity)).toBe("");
  });
});

describe("nearest point", () => {
  const points = [0, 10, 20, 50].map((t) => ({ t }));

  it("finds the point nearest in time, the earlier one on a tie", () => {
    expect(nearestIndex(points, -5)).toBe(0);
    expect(nearestIndex(points, 4)).toBe(0);
    expect(nearestIndex(points, 5)).toBe(0);
    expect(nearestIndex(points, 6)).toBe(1);
    expect(nearestIndex(points, 36)).toBe(3);
    expect(nearestIndex(points, 999)).toBe(3);
    expect(nearestIndex([{ t: 3 }], 0)).toBe(0);
  });
});
