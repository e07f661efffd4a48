/**
 * The vehicles as a Canvas 2D overlay above the WebGL map: which marks to draw (clusters when
 * zoomed out, one dot per vehicle close in), where they are on screen, what a click hits, and
 * the drawing itself. Pure: the projection and the canvas context are handed in, so it is
 * tested without a map or a real canvas.
 *
 * Why not a MapLibre layer: in a browser without a GPU (software WebGL), every repaint of the
 * map costs the main thread 100–400 ms; live positions arrive many times a second. Here a
 * position update redraws a few hundred 2D circles (well under a millisecond each), and the
 * WebGL map repaints only when the view moves.
 */
import { STATUS_STYLE, type VehicleStatus } from "./status";

export interface OverlayVehicle {
  id: string;
  lng: number;
  lat: number;
  label: string;
  status: VehicleStatus;
  /** degrees clockwise from north, or null when unknown */
  course: number | null;
}

export interface VehicleMark {
  kind: "vehicle";
  vehicle: OverlayVehicle;
  lng: number;
  lat: number;
}

export interface ClusterMark {
  kind: "cluster";
  /** the first member's id: stable while the cluster keeps its members */
  id: string;
  lng: number;
  lat: number;
  members: OverlayVehicle[];
  alerts: number;
}

export type Mark = VehicleMark | ClusterMark;

/** A mark where it is drawn (CSS pixels from the map's top left). */
export type PlacedMark = Mark & { x: number; y: number; radius: number };

export type Project = (lng: number, lat: number) => { x: number; y: number };

/** As the old MapLibre layer clustered: within 48 px of a 512 px tile, up to zoom 14. */
export const CLUSTER_RADIUS_PX = 48;
export const CLUSTER_MAX_ZOOM = 14;
const TILE_PX = 512;
/** Marks this far outside the canvas are still drawn (their ring may reach in). */
const CULL_MARGIN_PX = 40;
/** A click this close to a dot's edge still picks it (a finger is wider than 7 px). */
export const HIT_SLOP_PX = 4;

/** A name starts clear of the selected ring (14 px, 4 px wide). */
const LABEL_OFFSET_PX = 19;
const SELECTED_RING_PX = 14;
const CLUSTER_FILL = "#1e3a8a";
const ALERT_RING = "#b91c1c";
const SELECTED_RING = "#111827";
const WHITE = "#ffffff";

/** Web Mercator share of the world (0–1), as MapLibre draws it. */
export function worldX(lng: number): number {
  return (lng + 180) / 360;
}

export function worldY(lat: number): number {
  const sin = Math.sin((lat * Math.PI) / 180);
  return 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
}

export function clusterRadius(count: number): number {
  if (count >= 1000) return 30;
  if (count >= 100) return 24;
  if (count >= 10) return 18;
  return 14;
}

export function vehicleRadius(vehicle: OverlayVehicle): number {
  return vehicle.status === "alert" ? 8 : 7;
}

/**
 * The marks to draw at `zoom`: beyond CLUSTER_MAX_ZOOM one per vehicle; below it, vehicles
 * within the cluster radius of an unclaimed vehicle (in world pixels at the whole zoom, so a
 * pan never regroups them) join it, greedily in fleet order, through a grid of radius-sized
 * cells (each vehicle looks at nine cells, not at the whole fleet).
 */
export function markVehicles(
  vehicles: readonly OverlayVehicle[],
  zoom: number,
  radiusPx = CLUSTER_RADIUS_PX,
  maxZoom = CLUSTER_MAX_ZOOM,
): Mark[] {
  if (zoom > maxZoom) return vehicles.map((vehicle) => single(vehicle));
  const scale = TILE_PX * 2 ** Math.floor(zoom);
  const xs = vehicles.map((v) => worldX(v.lng) * scale);
  const ys = vehicles.map((v) => worldY(v.lat) * scale);
  const cells = new Map<string, number[]>();
  const cellOf = (x: number, y: number) => `${Math.floor(x / radiusPx)}:${Math.floor(y / radiusPx)}`;
  vehicles.forEach((_, i) => {
    const key = cellOf(xs[i] as number, ys[i] as number);
    const cell = cells.get(key);
    if (cell) cell.push(i);
    else cells.set(key, [i]);
  });

  const taken = new Uint8Array(vehicles.length);
  const marks: Mark[] = [];
  const r2 = radiusPx * radiusPx;
  vehicles.forEach((vehicle, i) => {
    if (taken[i]) return;
    taken[i] = 1;
    const x = xs[i] as number;
    const y = ys[i] as number;
    const cx = Math.floor(x / radiusPx);
    const cy = Math.floor(y / radiusPx);
    const members = [i];
    for (let dx = -1; dx <= 1; dx += 1) {
      for (let dy = -1; dy <= 1; dy += 1) {
        for (const j of cells.get(`${cx + dx}:${cy + dy}`) ?? []) {
          if (taken[j]) continue;
          const ex = (xs[j] as number) - x;
          const ey = (ys[j] as number) - y;
          if (ex * ex + ey * ey <= r2) {
            taken[j] = 1;
            members.push(j);
          }
        }
      }
    }
    marks.push(members.length === 1 ? single(vehicle) : cluster(members.map((j) => vehicles[j] as OverlayVehicle)));
  });
  return marks;
}

function single(vehicle: OverlayVehicle): VehicleMark {
  return { kind: "vehicle", vehicle, lng: vehicle.lng, lat: vehicle.lat };
}

function cluster(members: OverlayVehicle[]): ClusterMark {
  let lng = 0;
  let lat = 0;
  let alerts = 0;
  for (const member of members) {
    lng += member.lng;
    lat += member.lat;
    if (member.status === "alert") alerts += 1;
  }
  return {
    kind: "cluster",
    id: (members[0] as OverlayVehicle).id,
    lng: lng / members.length,
    lat: lat / members.length,
    members,
    alerts,
  };
}

/**
 * The marks on screen: projected, those well outside the `width` × `height` canvas left out,
 * clusters first and vehicles after them (drawn on top, and hit first).
 */
export function placeMarks(marks: readonly Mark[], project: Project, width: number, height: number): PlacedMark[] {
  const clusters: PlacedMark[] = [];
  const dots: PlacedMark[] = [];
  for (const mark of marks) {
    const { x, y } = project(mark.lng, mark.lat);
    if (x < -CULL_MARGIN_PX || y < -CULL_MARGIN_PX || x > width + CULL_MARGIN_PX || y > height + CULL_MARGIN_PX) {
      continue;
    }
    if (mark.kind === "cluster") clusters.push({ ...mark, x, y, radius: clusterRadius(mark.members.length) });
    else dots.push({ ...mark, x, y, radius: vehicleRadius(mark.vehicle) });
  }
  return clusters.concat(dots);
}

/** The mark under the pointer at (x, y): the topmost one drawn, or null. */
export function hitTest(placed: readonly PlacedMark[], x: number, y: number, slop = HIT_SLOP_PX): PlacedMark | null {
  for (let i = placed.length - 1; i >= 0; i -= 1) {
    const mark = placed[i] as PlacedMark;
    const reach = mark.radius + slop;
    const dx = mark.x - x;
    const dy = mark.y - y;
    if (dx * dx + dy * dy <= reach * reach) return mark;
  }
  return null;
}

/** The canvas calls the drawing needs (a real CanvasRenderingContext2D, or a recorder in tests). */
export type Canvas2D = Pick<
  CanvasRenderingContext2D,
  | "setTransform"
  | "clearRect"
  | "beginPath"
  | "arc"
  | "moveTo"
  | "lineTo"
  | "closePath"
  | "fill"
  | "stroke"
  | "fillText"
  | "strokeText"
  | "fillStyle"
  | "strokeStyle"
  | "lineWidth"
  | "globalAlpha"
  | "font"
  | "textAlign"
  | "textBaseline"
  | "lineJoin"
>;

export interface DrawOptions {
  /** CSS pixels */
  width: number;
  height: number;
  pixelRatio: number;
  selected: { id: string; x: number; y: number } | null;
  /** the vehicle under the pointer: its name is written beside it */
  hovered: string | null;
}

function circle(ctx: Canvas2D, x: number, y: number, radius: number): void {
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, 2 * Math.PI);
}

function drawCluster(ctx: Canvas2D, mark: PlacedMark & ClusterMark): void {
  circle(ctx, mark.x, mark.y, mark.radius);
  ctx.globalAlpha = 0.85;
  ctx.fillStyle = CLUSTER_FILL;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.lineWidth = 3;
  ctx.strokeStyle = mark.alerts > 0 ? ALERT_RING : WHITE;
  ctx.stroke();
  ctx.fillStyle = WHITE;
  ctx.fillText(String(mark.members.length), mark.x, mark.y + 0.5);
}

/** A small arrowhead outside the dot, pointing where a moving vehicle heads. */
function drawHeading(ctx: Canvas2D, x: number, y: number, radius: number, course: number, color: string): void {
  const angle = ((course - 90) * Math.PI) / 180; // 0° is north, the canvas' 0 rad is east
  const tip = radius + 6;
  const base = radius + 1;
  const spread = 0.45;
  ctx.beginPath();
  ctx.moveTo(x + tip * Math.cos(angle), y + tip * Math.sin(angle));
  ctx.lineTo(x + base * Math.cos(angle - spread), y + base * Math.sin(angle - spread));
  ctx.lineTo(x + base * Math.cos(angle + spread), y + base * Math.sin(angle + spread));
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.fill();
}

function drawVehicle(ctx: Canvas2D, mark: PlacedMark & VehicleMark): void {
  const { vehicle } = mark;
  const color = STATUS_STYLE[vehicle.status].color;
  if (vehicle.status === "moving" && vehicle.course !== null) {
    drawHeading(ctx, mark.x, mark.y, mark.radius, vehicle.course, color);
  }
  circle(ctx, mark.x, mark.y, mark.radius);
  ctx.fillStyle = color;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = WHITE;
  ctx.stroke();
}

function drawLabel(ctx: Canvas2D, text: string, x: number, y: number): void {
  ctx.textAlign = "left";
  ctx.lineWidth = 3;
  ctx.strokeStyle = WHITE;
  ctx.strokeText(text, x, y);
  ctx.fillStyle = SELECTED_RING;
  ctx.fillText(text, x, y);
  ctx.textAlign = "center";
}

/** Clear the canvas and draw the placed marks, the selected vehicle's ring and the hovered or selected name. */
export function drawMarks(ctx: Canvas2D, placed: readonly PlacedMark[], options: DrawOptions): void {
  const { pixelRatio, width, height, selected, hovered } = options;
  ctx.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "700 12px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.lineJoin = "round";
  const labels: { text: string; x: number; y: number }[] = [];
  for (const mark of placed) {
    if (mark.kind === "cluster") drawCluster(ctx, mark);
    else {
      drawVehicle(ctx, mark);
      if (mark.vehicle.id === hovered || mark.vehicle.id === selected?.id) {
        labels.push({ text: mark.vehicle.label, x: mark.x + LABEL_OFFSET_PX, y: mark.y });
      }
    }
  }
  // The selected vehicle's ring is drawn above the clusters: it shows when its dot is inside one.
  if (selected) {
    circle(ctx, selected.x, selected.y, SELECTED_RING_PX);
    ctx.lineWidth = 4;
    ctx.strokeStyle = SELECTED_RING;
    ctx.stroke();
  }
  for (const label of labels) drawLabel(ctx, label.text, label.x, label.y);
}
