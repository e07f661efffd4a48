// The route-plan API's shapes, from the generated client (src/fleetyard/routing/schemas.py).
// Times are seconds from the plan's start (00:00 of its day here), distances metres.
import type { Schemas } from "@/lib/api";

export type Objective = NonNullable<Schemas["RoutePlanCreate"]["objective"]>;
export type PlanStatus = Schemas["RoutePlanSummary"]["status"];
export type LatLon = Schemas["LatLon"];
export type VehicleIn = Schemas["VehicleIn"];
export type JobIn = Schemas["JobIn"];
export type RoutePlanCreate = Schemas["RoutePlanCreate"];
export type PlannedStop = Schemas["PlannedStop"];
export type Stop = PlannedStop;
export type Route = Schemas["Route"];
export type Unassigned = Schemas["Unassigned"];
export type Solution = Schemas["Solution"];
export type RoutePlanSummary = Schemas["RoutePlanSummary"];
export type RouteEdit = Schemas["RouteEdit"];
export type Violation = Schemas["Violation"];
export type CheckedRoute = Schemas["CheckedRoute"];
export type RoutesChecked = Schemas["RoutesChecked"];

/** The request as the plan keeps it (the API answers it as a free-form object). */
export interface RoutePlanRequest {
  name?: string;
  objective?: Objective;
  time_limit_s?: number;
  vehicles: (Partial<VehicleIn> & { id: string })[];
  jobs: (Partial<JobIn> & { id: string })[];
}

export type RoutePlan = Omit<Schemas["RoutePlan"], "request"> & { request: RoutePlanRequest };
