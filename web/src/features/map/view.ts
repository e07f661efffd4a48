/**
 * Where the map looks: the box it opens on (the fleet, else the drawn basemap) and how far it
 * may stray (its centre stays inside the map settings' max bounds). Pure, so it is tested
 * without a WebGL canvas.
 */
import type { FleetState, MapConfig } from "./api";

/** west, south, east, north (degrees), as the map settings and MapLibre's fitBounds take it. */
export type Box = [number, number, number, number];

/** The smallest box the map opens on: one vehicle alone is shown with its streets around it. */
export const MIN_SPAN_M = 300;
const METRES_PER_DEGREE = 111_195;

function asBox(values: readonly number[] | null | undefined): Box | null {
  return values && values.length === 4 ? (values.slice(0, 4) as Box) : null;
}

function inside(box: Box, lng: number, lat: number): boolean {
  return box[0] <= lng && lng <= box[2] && box[1] <= lat && lat <= box[3];
}

/** `box` grown around its middle to at least `minSpanM` each way. */
function atLeast(box: Box, minSpanM: number): Box {
  const [west, south, east, north] = box;
  const halfLat = minSpanM / METRES_PER_DEGREE / 2;
  const halfLng = halfLat / Math.cos((((south + north) / 2) * Math.PI) / 180);
  const midLng = (west + east) / 2;
  const midLat = (south + north) / 2;
  return [
    Math.min(west, midLng - halfLng),
    Math.min(south, midLat - halfLat),
    Math.max(east, midLng + halfLng),
    Math.max(north, midLat + halfLat),
  ];
}

/**
 * The box around the vehicles' latest positions (those inside `within`, when given: a fix
 * outside the drawn map cannot be shown on it), or null when none has one.
 */
export function fleetBox(fleet: FleetState, within: Box | null = null, minSpanM = MIN_SPAN_M): Box | null {
  let box: Box | null = null;
  for (const { state } of fleet) {
    if (!state) continue;
    const { longitude: lng, latitude: lat } = state;
    if (!Number.isFinite(lng) || !Number.isFinite(lat)) continue;
    if (within && !inside(within, lng, lat)) continue;
    box = box
      ? [Math.min(box[0], lng), Math.min(box[1], lat), Math.max(box[2], lng), Math.max(box[3], lat)]
      : [lng, lat, lng, lat];
  }
  return box ? atLeast(box, minSpanM) : null;
}

/** What the map opens on: the fleet, else the drawn basemap, else nothing (the style's own view). */
export function openingBox(
  fleet: FleetState | undefined,
  config: MapConfig,
): { box: Box; on: "fleet" | "basemap" } | null {
  const vehicles = fleet ? fleetBox(fleet, asBox(config.max_bounds)) : null;
  if (vehicles) return { box: vehicles, on: "fleet" };
  const drawn = asBox(config.bounds);
  return drawn ? { box: drawn, on: "basemap" } : null;
}

export function maxBoxOf(config: MapConfig): Box | null {
  return asBox(config.max_bounds);
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** Web Mercator, as MapLibre draws it: longitude/latitude ↔ a share of the world (0–1). */
const worldX = (lng: number) => (lng + 180) / 360;
const worldY = (lat: number) => {
  const sin = Math.sin((lat * Math.PI) / 180);
  return 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
};
const lngOf = (x: number) => x * 360 - 180;
const latOf = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;

/** `centre` on an axis from `low` to `high`, for a view `span` wide (same units). */
function holdAxis(centre: number, low: number, high: number, span: number): number {
  if (high - low <= span) return (low + high) / 2; // the box is narrower than the view: centred
  return clamp(centre, low + span / 2, high - span / 2); // else the view stays inside it
}

/**
 * The camera MapLibre may take: the zoom within its limits, and the view inside `maxBox` on
 * each axis where the box is wider than the view, centred on it where it is narrower. (MapLibre's
 * own maxBounds rule zooms in until the view fits inside on both axes, so a wide screen could
 * never see all of a tall drawn area.)
 */
export function constrainCamera(
  lng: number,
  lat: number,
  zoom: number,
  maxBox: Box | null,
  limits: { minZoom: number; maxZoom: number },
  viewPx: { width: number; height: number },
): { lng: number; lat: number; zoom: number } {
  const z = clamp(zoom, limits.minZoom, limits.maxZoom);
  if (!maxBox || !viewPx.width || !viewPx.height) return { lng, lat, zoom: z };
  const world = 512 * 2 ** z;
  const x = holdAxis(worldX(lng), worldX(maxBox[0]), worldX(maxBox[2]), viewPx.width / world);
  const y = holdAxis(worldY(lat), worldY(maxBox[3]), worldY(maxBox[1]), viewPx.height / world);
  return { lng: lngOf(x), lat: latOf(y), zoom: z };
}

/** Padding around the fitted fleet, in pixels: room for the markers, never more than a quarter of the canvas. */
export function fitPadding(width: number, height: number, wanted = 48): number {
  return Math.max(0, Math.min(wanted, Math.floor(width / 4), Math.floor(height / 4)));
}
