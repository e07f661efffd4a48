import type { ComponentType } from "react";

/** A stop as the route's map draws it. */
export interface MapStop {
  id: string;
  sequence: number;
  lat: number;
  lon: number;
  status: "pending" | "arrived" | "completed" | "failed";
  next: boolean;
}

export interface RouteMapProps {
  stops: MapStop[];
  /** The planned line, `[lon, lat]` pairs (straight lines between stops when empty). */
  geometry: [number, number][];
}

/** The map is composed in by the app (it owns the basemap), so this feature stays map-free. */
export type RouteMap = ComponentType<RouteMapProps>;
