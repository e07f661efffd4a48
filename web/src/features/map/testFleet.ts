import { testVehicle as liveVehicle } from "@/test/fleet";

import type { VehicleWithState } from "./api";

/** A vehicle of the map's tests, moving: `at` is [longitude, latitude], or null for no fix yet. */
export function testVehicle(id: string, plate: string, at: [number, number] | null): VehicleWithState {
  return liveVehicle(id, plate, at && { longitude: at[0], latitude: at[1], speed_kmh: 20 });
}
