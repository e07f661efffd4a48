/**
 * Geofence shapes as the editor holds them, and the checks the server makes
 * (src/fleetyard/geofences/shapes.py), run here first so most mistakes show while drawing,
 * before a save. The server stays the judge: its 422 reason is shown the same way.
 */

/** [longitude, latitude], GeoJSON's order. */
export type Position = [number, number];

export type Draft =
  | { shape: "circle"; center: Position; radiusM: number }
  | { shape: "polygon"; vertices: Position[]; holes?: Position[][] };

export const MIN_RADIUS_M = 5;
export const MAX_RADIUS_M = 100_000;
/** The server's bounds for any fence: the largest circle's size, and GPS's noise. */
const MAX_SIZE_M = 200_000;
const MIN_AREA_M2 = 25;
const MAX_LATITUDE = 85;
const EARTH_RADIUS_M = 6_371_008.8;

/** The server's reasons, in plain words for the person drawing. */
export const REASON_TEXT: Record<string, string> = {
  too_few_points: "an outline needs at least 3 different points",
  unclosed: "the outline is not closed",
  self_intersecting: "the outline crosses itself",
  invalid_polygon: "the outline is not a valid area",
  too_large: "the shape is more than 200 km across",
  too_small: "the shape is smaller than 25 m²",
  radius_out_of_range: "the radius must be between 5 m and 100 km",
  out_of_range: "the shape is too close to a pole (beyond 85° north or south)",
  crosses_antimeridian: "the shape crosses the 180th meridian",
  too_many_points: "the outline has more than 5,000 points",
  too_many_holes: "the shape has too many holes",
};

export function reasonText(reason: string): string {
  return REASON_TEXT[reason] ?? "the shape is not valid";
}

/** A flat frame in metres centred on `origin` (equirectangular: exact enough for a fence). */
export function projector(origin: Position): (p: Position) => [number, number] {
  const cos = Math.cos((origin[1] * Math.PI) / 180);
  const k = (Math.PI / 180) * EARTH_RADIUS_M;
  return (p) => [(p[0] - origin[0]) * k * cos, (p[1] - origin[1]) * k];
}

export function distanceM(a: Position, b: Position): number {
  const toRad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * toRad;
  const dLon = (b[0] - a[0]) * toRad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The point `distance` metres from `center` towards `bearing` degrees (for drawing a circle). */
export function destination(center: Position, distance: number, bearing: number): Position {
  const toRad = Math.PI / 180;
  const d = distance / EARTH_RADIUS_M;
  const lat1 = center[1] * toRad;
  const lon1 = center[0] * toRad;
  const b = bearing * toRad;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 =
    lon1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return [(lon2 / toRad + 540) % 360 - 180, lat2 / toRad];
}

/** A circle as a closed ring of `steps` points, to draw it on the map. */
export function circleRing(center: Position, radiusM: number, steps = 64): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < steps; i++) ring.push(destination(center, radiusM, (360 * i) / steps));
  ring.push(ring[0]!);
  return ring;
}

function samePosition(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** The vertices without repeats next to each other (and without a closing repeat). */
export function distinctVertices(vertices: Position[]): Position[] {
  const out: Position[] = [];
  for (const v of vertices) if (!out.length || !samePosition(out[out.length - 1]!, v)) out.push(v);
  while (out.length > 1 && samePosition(out[0]!, out[out.length - 1]!)) out.pop();
  return out;
}

/** The closed GeoJSON ring of an open list of vertices. */
export function closedRing(vertices: Position[]): Position[] {
  const open = distinctVertices(vertices);
  return open.length ? [...open, open[0]!] : [];
}

type Point = [number, number];

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function onSegment(p: Point, a: Point, b: Point): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/** Whether segments ab and cd meet (touching counts). */
export function segmentsMeet(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    (d1 === 0 && onSegment(a, c, d)) ||
    (d2 === 0 && onSegment(b, c, d)) ||
    (d3 === 0 && onSegment(c, a, b)) ||
    (d4 === 0 && onSegment(d, a, b))
  );
}

/**
 * The first place where a closed ring's edges cross or touch other than at the vertex two
 * neighbouring edges share (a bow tie, a spike folding back), or null for a simple ring.
 */
export function selfIntersection(ring: Point[]): Point | null {
  const n = ring.length - 1; // edges; the ring is closed
  for (let i = 0; i < n; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    for (let j = i + 1; j < n; j++) {
      const c = ring[j]!;
      const d = ring[j + 1]!;
      const neighbours = j === i + 1 || (i === 0 && j === n - 1);
      if (neighbours) {
        // Sharing a vertex is fine; folding back along the other edge (a spike) is not.
        const [shared, mine, other] = j === i + 1 ? [b, a, d] : [a, b, c];
        const dot = (mine[0] - shared[0]) * (other[0] - shared[0]) + (mine[1] - shared[1]) * (other[1] - shared[1]);
        if (cross(shared, mine, other) === 0 && dot > 0) return shared;
        continue;
      }
      if (segmentsMeet(a, b, c, d)) return intersectionPoint(a, b, c, d);
    }
  }
  return null;
}

function intersectionPoint(a: Point, b: Point, c: Point, d: Point): Point {
  const denominator = (a[0] - b[0]) * (c[1] - d[1]) - (a[1] - b[1]) * (c[0] - d[0]);
  if (denominator === 0) return onSegment(c, a, b) ? c : d;
  const t = ((a[0] - c[0]) * (c[1] - d[1]) - (a[1] - c[1]) * (c[0] - d[0])) / denominator;
  return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
}

function ringArea(ring: Point[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length - 1; i++) sum += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return Math.abs(sum) / 2;
}

export interface Problem {
  reason: string;
  /** Where, for a crossing: [longitude, latitude]. */
  at?: Position;
}

function inRange(p: Position): boolean {
  return Number.isFinite(p[0]) && Number.isFinite(p[1]) && Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90;
}

/** What the server would refuse in this shape, or null when it would take it. */
export function validateDraft(draft: Draft): Problem | null {
  if (draft.shape === "circle") {
    if (!inRange(draft.center)) return { reason: "out_of_range" };
    if (!(draft.radiusM >= MIN_RADIUS_M && draft.radiusM <= MAX_RADIUS_M)) return { reason: "radius_out_of_range" };
    if (Math.abs(draft.center[1]) > MAX_LATITUDE) return { reason: "out_of_range" };
    return null;
  }
  const open = distinctVertices(draft.vertices);
  if (!open.every(inRange)) return { reason: "out_of_range" };
  if (open.length < 3) return { reason: "too_few_points" };
  if (open.some((p) => Math.abs(p[1]) > MAX_LATITUDE)) return { reason: "out_of_range" };
  const lons = open.map((p) => p[0]);
  if (Math.max(...lons) - Math.min(...lons) > 180) return { reason: "crosses_antimeridian" };
  const ring = [...open, open[0]!];
  const origin: Position = [
    (Math.max(...lons) + Math.min(...lons)) / 2,
    (Math.max(...open.map((p) => p[1])) + Math.min(...open.map((p) => p[1]))) / 2,
  ];
  const flat = ring.map(projector(origin));
  const crossing = selfIntersection(flat);
  if (crossing) {
    const cos = Math.cos((origin[1] * Math.PI) / 180);
    const k = (Math.PI / 180) * EARTH_RADIUS_M;
    return { reason: "self_intersecting", at: [origin[0] + crossing[0] / (k * cos), origin[1] + crossing[1] / k] };
  }
  let size = 0;
  for (const a of open) for (const b of open) size = Math.max(size, distanceM(a, b));
  if (size > MAX_SIZE_M) return { reason: "too_large" };
  if (ringArea(flat) < MIN_AREA_M2) return { reason: "too_small" };
  return null;
}

/** The draft as the API's geometry (and radius, for a circle). */
export function toGeometry(draft: Draft):
  | { geometry: { type: "Point"; coordinates: Position }; radius_m: number }
  | { geometry: { type: "Polygon"; coordinates: Position[][] }; radius_m: null } {
  if (draft.shape === "circle") return { geometry: { type: "Point", coordinates: draft.center }, radius_m: draft.radiusM };
  const holes = (draft.holes ?? []).map(closedRing);
  return { geometry: { type: "Polygon", coordinates: [closedRing(draft.vertices), ...holes] }, radius_m: null };
}

/** The draft's rings as GeoJSON polygon coordinates: its outline, then a polygon's holes. */
export function rings(draft: Draft): Position[][] {
  return [outline(draft), ...(draft.shape === "polygon" ? (draft.holes ?? []).map(closedRing) : [])];
}

/**
 * A stored fence's geometry as a draft. A polygon's holes (made through the API) are kept as
 * they are and sent back with every save: the editor moves the outline, never drops a hole.
 */
export function fromGeometry(geometry: Record<string, unknown>, radiusM: number | null): Draft | null {
  const coordinates = geometry.coordinates;
  if (geometry.type === "Point" && Array.isArray(coordinates) && radiusM !== null)
    return { shape: "circle", center: [Number(coordinates[0]), Number(coordinates[1])], radiusM };
  if (geometry.type === "Polygon" && Array.isArray(coordinates) && Array.isArray(coordinates[0])) {
    const [shell, ...holes] = (coordinates as unknown[][][]).map((ring) =>
      distinctVertices(ring.map((p) => [Number((p as unknown[])[0]), Number((p as unknown[])[1])] as Position)),
    );
    return holes.length ? { shape: "polygon", vertices: shell!, holes } : { shape: "polygon", vertices: shell! };
  }
  return null;
}

/** The ring drawn for a draft (a circle's as a polygon). */
export function outline(draft: Draft): Position[] {
  return draft.shape === "circle" ? circleRing(draft.center, draft.radiusM) : closedRing(draft.vertices);
}

/** A draft's box: [west, south, east, north]. */
export function boxOf(draft: Draft): [number, number, number, number] {
  const ring = outline(draft);
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

export function moveVertex(draft: Draft, index: number, to: Position): Draft {
  if (draft.shape !== "polygon") return draft;
  return { ...draft, vertices: draft.vertices.map((v, i) => (i === index ? to : v)) };
}

export function removeVertex(draft: Draft, index: number): Draft {
  if (draft.shape !== "polygon") return draft;
  return { ...draft, vertices: draft.vertices.filter((_, i) => i !== index) };
}

/** Move a whole shape by the offset from `from` to `to` (dragging a circle's centre). */
export function moveCenter(draft: Draft, to: Position): Draft {
  if (draft.shape === "circle") return { ...draft, center: to };
  return draft;
}

/** Round a coordinate to 7 decimals (about a centimetre), as shown and typed. */
export function round7(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}
