import type { ComponentType } from "react";

import type { LatLon } from "../types";

/** One route as the map draws it: its line (`[lon, lat]` pairs) and its numbered stops. */
export interface DrawnRoute {
  vehicle: string;
  colour: string;
  dashed: boolean;
  line: [number, number][];
  stops: { number: number; jobId: string; at: LatLon }[];
  start: LatLon | null;
}

export interface PlanMapProps {
  routes: DrawnRoute[];
}

/** The map is composed in by the app (it owns the basemap), so this feature stays map-free. */
export type PlanMap = ComponentType<PlanMapProps>;
