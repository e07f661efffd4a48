/** A history track and where the replay marker is at a given moment. */
import { type TrackPoint } from "@/lib/track";

import type { Position } from "./api";

export { lineUpTo, pointAt, type TrackPoint } from "@/lib/track";

export function trackPoints(positions: readonly Position[]): TrackPoint[] {
  return positions
    .map((p) => ({ time: Date.parse(p.fix_time), lng: p.longitude, lat: p.latitude, speedKmh: p.speed_kmh }))
    .filter((p) => Number.isFinite(p.time))
    .sort((a, b) => a.time - b.time);
}
