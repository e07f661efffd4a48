/**
 * What a marker's colour says. One status per vehicle, the first that holds:
 *
 * 1. alert — it has an open alert;
 * 2. offline — its last fix is older than STALE_AFTER_MS (the tracker went quiet);
 * 3. parked — the tracker says the ignition is off;
 * 4. moving — faster than MOVING_KMH;
 * 5. idle — on (or unknown) and standing still.
 *
 * A vehicle with no fix yet is not on the map ("no position" in the list). The server counts
 * vehicles by the same rule (fleetyard.tracking.activity) for the dashboard and the lists.
 */
import type { VehicleWithState } from "./api";

export type VehicleStatus = "alert" | "offline" | "parked" | "moving" | "idle";
export type ListStatus = VehicleStatus | "none";

export const STALE_AFTER_MS = 10 * 60_000;
export const MOVING_KMH = 3;

export const STATUS_ORDER: readonly VehicleStatus[] = ["moving", "idle", "parked", "offline", "alert"];

/** Marker colours: each ≥ 3:1 against the basemap's background (WCAG 1.4.11), white ring. */
export const STATUS_STYLE: Record<ListStatus, { label: string; color: string; description: string }> = {
  moving: { label: "Moving", color: "#15803d", description: `faster than ${MOVING_KMH} km/h` },
  idle: { label: "Idle", color: "#b45309", description: "ignition on, standing still" },
  parked: { label: "Parked", color: "#334155", description: "ignition off" },
  offline: { label: "Offline", color: "#6b7280", description: "no fix for 10 minutes" },
  alert: { label: "Alert", color: "#b91c1c", description: "has an open alert" },
  none: { label: "No position", color: "#9ca3af", description: "no fix received yet" },
};

export function vehicleStatus(
  vehicle: VehicleWithState,
  hasAlert: boolean,
  now: number,
): ListStatus {
  const state = vehicle.state;
  if (!state) return hasAlert ? "alert" : "none";
  if (hasAlert) return "alert";
  if (now - Date.parse(state.fix_time) > STALE_AFTER_MS) return "offline";
  if (state.ignition === false) return "parked";
  if ((state.speed_kmh ?? 0) >= MOVING_KMH) return "moving";
  return "idle";
}

/** The vehicle's name as people say it. */
export function vehicleLabel(vehicle: Pick<VehicleWithState, "plate" | "name" | "vehicle_id">): string {
  return vehicle.plate || vehicle.name || vehicle.vehicle_id.slice(0, 8);
}
