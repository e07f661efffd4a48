/**
 * How a vehicle's state looks, wherever it is shown (the map's markers, legend and list, the
 * vehicles list, the dashboard). One status per vehicle, the first that holds:
 *
 * 1. alert — it has an open alert;
 * 2. offline — its last fix is older than STALE_AFTER_MS (the tracker went quiet);
 * 3. parked — the tracker says the ignition is off;
 * 4. moving — faster than MOVING_KMH;
 * 5. idle — on (or unknown) and standing still.
 *
 * The server decides 2–5 by the same rule (fleetyard.tracking.activity) and reports it as a
 * vehicle's `activity`; `activityStatus` maps that onto these styles.
 */
import type { Schemas } from "@/lib/api";

export type VehicleStatus = "alert" | "offline" | "parked" | "moving" | "idle";
export type ListStatus = VehicleStatus | "none";
/** What the server says a vehicle is doing (no alert in it). */
export type Activity = Schemas["Activity"];

export const STALE_AFTER_MS = 10 * 60_000;
export const MOVING_KMH = 3;

export const STATUS_ORDER: readonly VehicleStatus[] = ["moving", "idle", "parked", "offline", "alert"];
export const ACTIVITIES: readonly Activity[] = ["moving", "idle", "parked", "offline", "no_position"];

/** Marker colours: each ≥ 3:1 against the basemap's background (WCAG 1.4.11), white ring. */
export const STATUS_STYLE: Record<ListStatus, { label: string; color: string; description: string }> = {
  moving: { label: "Moving", color: "#15803d", description: `faster than ${MOVING_KMH} km/h` },
  idle: { label: "Idle", color: "#b45309", description: "ignition on, standing still" },
  parked: { label: "Parked", color: "#334155", description: "ignition off" },
  offline: { label: "Offline", color: "#6b7280", description: "no fix for 10 minutes" },
  alert: { label: "Alert", color: "#b91c1c", description: "has an open alert" },
  none: { label: "No position", color: "#9ca3af", description: "no fix received yet" },
};

export function activityStatus(activity: Activity): ListStatus {
  return activity === "no_position" ? "none" : activity;
}
