/**
 * What a marker's colour says: the shared status rule and styles (src/lib/vehicleStatus),
 * decided here from a vehicle's live state. A vehicle with no fix yet is not on the map
 * ("no position" in the list).
 */
import { MOVING_KMH, STALE_AFTER_MS, type ListStatus } from "@/lib/vehicleStatus";

import type { VehicleWithState } from "./api";

export {
  MOVING_KMH,
  STALE_AFTER_MS,
  STATUS_ORDER,
  STATUS_STYLE,
  type ListStatus,
  type VehicleStatus,
} from "@/lib/vehicleStatus";

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
