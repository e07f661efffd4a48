/**
 * The planning screen's rules, apart from React: the request from the drafts, the routes as an
 * editable list of job ids, moving a stop, windows and lateness, colours.
 */
import type { JobDraft } from "./csv";
import type { JobIn, LatLon, Route, RouteEdit, RoutePlan, RoutePlanCreate, Stop, VehicleIn, Objective } from "./types";

/** Okabe–Ito: told apart with any colour vision; on routes past eight the colours repeat with
 * a dashed line. Yellow last (faint on a light basemap). */
export const ROUTE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"];
export const routeColour = (index: number) => ROUTE_COLOURS[index % ROUTE_COLOURS.length] ?? "#0072B2";
export const routeDashed = (index: number) => index >= ROUTE_COLOURS.length;

/** Where a vehicle starts or ends: a depot's place, its last position, or nowhere set. */
export interface VehicleDraft {
  id: string;
  label: string;
  vehicleId: string;
  driverId: string;
  start: LatLon | null;
  end: LatLon | null;
  capacity: number[];
  shift: [number, number];
  costPerKm: number;
  costPerHour: number;
  skills: string[];
}

export interface PlanDraft {
  name: string;
  objective: Objective;
  timeLimitS: number;
  jobs: JobDraft[];
  vehicles: VehicleDraft[];
}

export function jobIn(job: JobDraft): JobIn {
  return {
    id: job.id,
    location: { lat: job.lat, lon: job.lon },
    demand: job.demand,
    service_s: job.service_s,
    time_windows: job.window ? [job.window] : [],
    priority: job.priority,
    skills: job.skills,
  };
}

export function vehicleIn(vehicle: VehicleDraft, dimensions: number): VehicleIn {
  const capacity = Array.from({ length: dimensions }, (_, i) => vehicle.capacity[i] ?? vehicle.capacity.at(-1) ?? 0);
  return {
    id: vehicle.id,
    ...(vehicle.start ? { start: vehicle.start } : {}),
    ...(vehicle.end ? { end: vehicle.end } : {}),
    capacity,
    count: 1,
    shift: vehicle.shift,
    cost_per_km: vehicle.costPerKm,
    cost_per_hour: vehicle.costPerHour,
    skills: vehicle.skills,
    vehicle_id: vehicle.vehicleId,
    ...(vehicle.driverId ? { driver_id: vehicle.driverId } : {}),
  };
}

/** What is still missing before a draft can be solved (empty when it can). */
export function draftProblems(draft: PlanDraft): string[] {
  const problems: string[] = [];
  if (!draft.name.trim()) problems.push("Give the plan a name.");
  if (!draft.jobs.length) problems.push("Add at least one job.");
  if (!draft.vehicles.length) problems.push("Pick at least one vehicle.");
  for (const v of draft.vehicles) {
    if (!v.start) problems.push(`${v.label}: choose where it starts (its depot has no place, nor the vehicle a position).`);
    if (v.shift[0] >= v.shift[1]) problems.push(`${v.label}: the shift ends before it starts.`);
  }
  return problems;
}

export function buildRequest(draft: PlanDraft): RoutePlanCreate {
  const dimensions = Math.max(0, ...draft.jobs.map((j) => j.demand.length));
  return {
    name: draft.name.trim(),
    objective: draft.objective,
    time_limit_s: draft.timeLimitS,
    vehicles: draft.vehicles.map((v) => vehicleIn(v, dimensions)),
    jobs: draft.jobs.map(jobIn),
  };
}

// the solved plan ----------------------------------------------------------------------------
export interface PlanJob {
  id: string;
  location: LatLon | null;
  windows: [number, number][];
  demand: number[];
}

export function jobsOf(plan: RoutePlan): Map<string, PlanJob> {
  return new Map(
    plan.request.jobs.map((job) => [
      job.id,
      { id: job.id, location: job.location ?? null, windows: job.time_windows ?? [], demand: job.demand ?? [] },
    ]),
  );
}

/** Every vehicle of the request by id (`id#k` for the k-th of a count), in order, with where it
 * starts and ends. */
export function vehiclesOf(plan: RoutePlan): { id: string; start: LatLon | null; end: LatLon | null; vehicleId: string | null }[] {
  const out: { id: string; start: LatLon | null; end: LatLon | null; vehicleId: string | null }[] = [];
  for (const v of plan.request.vehicles) {
    const count = v.count ?? 1;
    for (let k = 0; k < count; k++)
      out.push({ id: count > 1 ? `${v.id}#${k}` : v.id, start: v.start ?? null, end: v.end ?? v.start ?? null, vehicleId: v.vehicle_id ?? null });
  }
  return out;
}

/** The solution as edits: one entry per vehicle of the plan (empty for unused ones), in the
 * request's order. */
export function editsOf(plan: RoutePlan): RouteEdit[] {
  const routes = new Map((plan.solution?.routes ?? []).map((r) => [r.vehicle, r.stops.map((s) => s.job_id)]));
  const edits = vehiclesOf(plan).map((v) => ({ vehicle: v.id, job_ids: routes.get(v.id) ?? [] }));
  for (const [vehicle, job_ids] of routes) if (!edits.some((e) => e.vehicle === vehicle)) edits.push({ vehicle, job_ids });
  return edits;
}

export const UNASSIGNED = "";

/** Move a job to `vehicle` (or out of every route with UNASSIGNED) at `position` (its end when
 * absent); the other routes keep their order. */
export function moveJob(edits: readonly RouteEdit[], jobId: string, vehicle: string, position?: number): RouteEdit[] {
  const without = edits.map((e) => ({ vehicle: e.vehicle, job_ids: e.job_ids.filter((id) => id !== jobId) }));
  if (vehicle === UNASSIGNED) return without;
  return without.map((e) => {
    if (e.vehicle !== vehicle) return e;
    const at = Math.max(0, Math.min(position ?? e.job_ids.length, e.job_ids.length));
    return { vehicle: e.vehicle, job_ids: [...e.job_ids.slice(0, at), jobId, ...e.job_ids.slice(at)] };
  });
}

/** Jobs in no route (after edits). */
export function unrouted(plan: RoutePlan, edits: readonly RouteEdit[]): string[] {
  const routed = new Set(edits.flatMap((e) => e.job_ids));
  return plan.request.jobs.map((j) => j.id).filter((id) => !routed.has(id));
}

export function sameEdits(a: readonly RouteEdit[], b: readonly RouteEdit[]): boolean {
  const key = (edits: readonly RouteEdit[]) =>
    JSON.stringify(edits.filter((e) => e.job_ids.length).map((e) => [e.vehicle, e.job_ids]).sort());
  return key(a) === key(b);
}

/** The window a stop is served in (the first that closes at or after its arrival), and how late
 * it is (seconds after the last window's end, 0 when on time). */
export function lateness(stop: Pick<Stop, "arrival_s">, windows: readonly [number, number][]): { window: [number, number] | null; late: number } {
  if (!windows.length) return { window: null, late: 0 };
  const open = windows.find(([, end]) => stop.arrival_s <= end);
  if (open) return { window: open, late: 0 };
  const last = windows.at(-1) ?? null;
  return { window: last, late: last ? stop.arrival_s - last[1] : 0 };
}

/** A route's line: the road geometry when the solver gave one for this very order, else
 * straight from start through each stop to the end. */
export function routeLine(
  route: Pick<Route, "stops" | "geometry">,
  start: LatLon | null,
  end: LatLon | null,
  jobs: Map<string, PlanJob>,
  useGeometry: boolean,
): [number, number][] {
  if (useGeometry && route.geometry && route.geometry.length > 1) return route.geometry;
  const places = [start, ...route.stops.map((s) => jobs.get(s.job_id)?.location ?? null), end];
  return places.filter((p): p is LatLon => p !== null).map((p) => [p.lon, p.lat]);
}

export function formatKm(metres: number | null | undefined): string {
  if (metres === null || metres === undefined) return "—";
  return `${(metres / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 })} km`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const minutes = Math.round(seconds / 60);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min` : `${minutes} min`;
}

export const REASONS: Record<string, string> = {
  no_vehicle_with_skills: "No vehicle has the skills",
  demand_exceeds_capacity: "Demand above every capacity",
  time_window_unreachable: "Window cannot be reached",
  not_served: "Not served (no room or time)",
  removed_by_edit: "Taken out by hand",
};

/** Seconds from the plan's start as a clock time (`08:05`; `+1d 00:30` past midnight). */
export function formatClock(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const days = Math.floor(minutes / 1440);
  const hh = String(Math.floor((minutes % 1440) / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${days ? `+${days}d ` : ""}${hh}:${mm}`;
}

export function formatWindow(window: readonly [number, number] | null): string {
  return window ? `${formatClock(window[0])}–${formatClock(window[1])}` : "any time";
}

/** Where a dropped or chosen job goes: a route's vehicle and a position in it. */
export interface MoveTarget {
  vehicle: string;
  position?: number;
}

/** The words for a refused save: a conflict in plain words, anything else as the server said. */
export function saveErrorWords(status: number, message: string): string {
  if (status === 409)
    return "Someone changed this plan after you opened it. Reload the plan to see their routes, then make your change again.";
  if (status === 422) return `The routes were not saved: ${message}`;
  return message;
}
