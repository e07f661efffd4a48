import type { VehicleWithState } from "./api";

/** A vehicle of the map's tests: `at` is [longitude, latitude], or null for no fix yet. */
export function testVehicle(id: string, plate: string, at: [number, number] | null): VehicleWithState {
  const now = new Date().toISOString();
  return {
    vehicle_id: id,
    plate,
    name: null,
    status: "active",
    group_id: null,
    state: at && {
      device_id: `device-${id}`,
      fix_time: now,
      server_time: now,
      latitude: at[1],
      longitude: at[0],
      speed_kmh: 20,
      course: 0,
      altitude_m: null,
      satellites: 8,
      ignition: true,
      odometer_m: null,
      attributes: {},
    },
  };
}
