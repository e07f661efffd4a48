// Geometry of the telemetry charts, kept free of React so it can be tested on its own: scales,
// runs of buckets split at gaps, and the SVG paths of the average line and the min–max band.

/** One bucket of one metric, at time `t` (ms since the epoch). */
export interface ChartPoint {
  t: number;
  avg: number;
  min: number;
  max: number;
  count: number;
}

export type Scale = (value: number) => number;

/** Maps `[d0, d1]` linearly onto `[r0, r1]`; a domain of one value maps to the range's middle. */
export function linearScale(
  [d0, d1]: readonly [number, number],
  [r0, r1]: readonly [number, number],
): Scale {
  if (d0 === d1) {
    const middle = (r0 + r1) / 2;
    return () => middle;
  }
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/** Lowest minimum and highest maximum, or null without points. */
export function extent(points: readonly ChartPoint[]): [number, number] | null {
  if (points.length === 0) return null;
  let low = Infinity;
  let high = -Infinity;
  for (const point of points) {
    low = Math.min(low, point.min);
    high = Math.max(high, point.max);
  }
  return [low, high];
}

/** The mean over every reading (each bucket's average weighted by its count). */
export function overallAverage(points: readonly ChartPoint[]): number | null {
  let sum = 0;
  let count = 0;
  for (const point of points) {
    sum += point.avg * point.count;
    count += point.count;
  }
  return count > 0 ? sum / count : null;
}

/** Consecutive points in runs: a run ends where the next point is more than `maxGap` later. */
export function splitAtGaps<T extends { t: number }>(points: readonly T[], maxGap: number): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  for (const point of points) {
    const last = run.at(-1);
    if (last && point.t - last.t > maxGap) {
      runs.push(run);
      run = [];
    }
    run.push(point);
  }
  if (run.length) runs.push(run);
  return runs;
}

const round = (value: number) => String(Math.round(value * 100) / 100);
const xy = (x: number, y: number) => `${round(x)} ${round(y)}`;

/** The averages as one subpath per run of two or more points (a gap breaks the line). */
export function linePath(runs: readonly ChartPoint[][], x: Scale, y: Scale): string {
  return runs
    .filter((run) => run.length > 1)
    .map((run) => `M${run.map((p) => xy(x(p.t), y(p.avg))).join("L")}`)
    .join("");
}

/**
 * The averages of runs of one point (a bucket between gaps), as zero-length subpaths: a round
 * line cap draws each as a dot.
 */
export function dotsPath(runs: readonly ChartPoint[][], x: Scale, y: Scale): string {
  return runs
    .filter((run) => run.length === 1)
    .map(([p]) => `M${xy(x(p!.t), y(p!.avg))}h0`)
    .join("");
}

/** The min–max band: per run of two or more points, a polygon along the maxima and back. */
export function bandPath(runs: readonly ChartPoint[][], x: Scale, y: Scale): string {
  return runs
    .filter((run) => run.length > 1)
    .map((run) => {
      const top = run.map((p) => xy(x(p.t), y(p.max)));
      const bottom = [...run].reverse().map((p) => xy(x(p.t), y(p.min)));
      return `M${[...top, ...bottom].join("L")}Z`;
    })
    .join("");
}

/** Index of the point nearest in time to `t` (points in time order, at least one). */
export function nearestIndex(points: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && t - points[lo - 1]!.t <= points[lo]!.t - t) return lo - 1;
  return lo;
}
