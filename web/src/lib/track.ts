/** A track in time (a vehicle's history replay, a trip's playback): where the vehicle was at a
 * moment, and the line it had driven by then. */
export interface TrackPoint {
  time: number;
  lng: number;
  lat: number;
  speedKmh: number | null;
}

/** Where the vehicle was at `time`: between the two fixes around it, in proportion. */
export function pointAt(track: readonly TrackPoint[], time: number): TrackPoint | null {
  const first = track[0];
  const last = track.at(-1);
  if (!first || !last) return null;
  if (time <= first.time) return first;
  if (time >= last.time) return last;
  let lo = 0;
  let hi = track.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((track[mid] as TrackPoint).time <= time) lo = mid;
    else hi = mid;
  }
  const a = track[lo] as TrackPoint;
  const b = track[hi] as TrackPoint;
  const f = b.time === a.time ? 0 : (time - a.time) / (b.time - a.time);
  return {
    time,
    lng: a.lng + (b.lng - a.lng) * f,
    lat: a.lat + (b.lat - a.lat) * f,
    speedKmh: a.speedKmh,
  };
}

/** The track up to `time`: the part already driven. */
export function lineUpTo(track: readonly TrackPoint[], time: number): [number, number][] {
  const line: [number, number][] = [];
  for (const point of track) {
    if (point.time > time) break;
    line.push([point.lng, point.lat]);
  }
  const here = pointAt(track, time);
  if (here && line.length) line.push([here.lng, here.lat]);
  return line;
}
