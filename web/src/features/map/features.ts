/** The fleet as the overlay draws it: each vehicle with a fix, its place, name, status and heading. */
import type { FleetState, VehicleWithState } from "./api";
import type { OverlayVehicle } from "./overlay";
import { vehicleLabel, vehicleStatus, type VehicleStatus } from "./status";

export function overlayVehicle(
  vehicle: VehicleWithState,
  alerted: ReadonlySet<string>,
  now: number,
): OverlayVehicle | null {
  const state = vehicle.state;
  if (!state || !Number.isFinite(state.longitude) || !Number.isFinite(state.latitude)) return null;
  return {
    id: vehicle.vehicle_id,
    lng: state.longitude,
    lat: state.latitude,
    label: vehicleLabel(vehicle),
    status: vehicleStatus(vehicle, alerted.has(vehicle.vehicle_id), now) as VehicleStatus, // never "none": it has a fix
    course: state.course ?? null,
  };
}

export function overlayVehicles(fleet: FleetState, alerted: ReadonlySet<string>, now: number): OverlayVehicle[] {
  const vehicles: OverlayVehicle[] = [];
  for (const vehicle of fleet) {
    const shown = overlayVehicle(vehicle, alerted, now);
    if (shown) vehicles.push(shown);
  }
  return vehicles;
}
