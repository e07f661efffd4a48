import type { VehicleWithState } from "@/lib/live";

/** The fields of a vehicle's last fix a test wants other than the defaults. */
export type TestFix = Partial<NonNullable<VehicleWithState["state"]>>;

/**
 * A vehicle as the live API sends it: an active vehicle with a fix taken now in central
 * Helsinki, standing with its ignition on, changed by `fix`; `null` for no fix yet.
 */
export function testVehicle(id: string, plate: string, fix: TestFix | null = {}): VehicleWithState {
  const now = new Date().toISOString();
  return {
    vehicle_id: id,
    plate,
    name: null,
    status: "active",
    group_id: null,
    state: fix && {
      device_id: `device-${id}`,
      fix_time: now,
      server_time: now,
      latitude: 60.17,
      longitude: 24.94,
      speed_kmh: 0,
      course: 0,
      altitude_m: null,
      satellites: 8,
      ignition: true,
      odometer_m: null,
      attributes: {},
      ...fix,
    },
  };
}
