/** Live positions folded into the cached vehicle states: pure functions, no cache, no socket. */
import type { FleetState, VehicleReading, VehicleWithState } from "./keys";
import type { LivePosition } from "./protocol";

/** Whether `position` is newer than what `reading` shows (a replayed or late fix is not). */
export function isNewer(position: LivePosition, reading: VehicleReading | null | undefined): boolean {
  return !reading || Date.parse(position.fix_time) > Date.parse(reading.fix_time);
}

/** The reading after `position`: its fix, and the readings it brought over the ones before. */
export function readingAfter(
  reading: VehicleReading | null | undefined,
  position: LivePosition,
): VehicleReading {
  return {
    device_id: position.device_id,
    fix_time: position.fix_time,
    server_time: position.server_time,
    latitude: position.latitude,
    longitude: position.longitude,
    speed_kmh: position.speed_kmh,
    course: position.course,
    altitude_m: position.altitude_m,
    satellites: position.satellites,
    ignition: position.ignition,
    odometer_m: position.odometer_m,
    attributes: { ...(reading?.attributes ?? {}), ...position.attributes },
  };
}

export function vehicleAfter(vehicle: VehicleWithState, position: LivePosition): VehicleWithState {
  if (!isNewer(position, vehicle.state)) return vehicle;
  return { ...vehicle, state: readingAfter(vehicle.state, position) };
}

const indexes = new WeakMap<FleetState, Map<string, number>>();

/** Where each vehicle sits in `fleet` (built once per array, carried over by `applyPositions`). */
export function fleetIndex(fleet: FleetState): Map<string, number> {
  let index = indexes.get(fleet);
  if (!index) {
    index = new Map(fleet.map((vehicle, i) => [vehicle.vehicle_id, i]));
    indexes.set(fleet, index);
  }
  return index;
}

/**
 * `fleet` with `positions` applied: a new array (the cache sees a change) sharing every
 * untouched vehicle; `missing` names vehicles the snapshot doesn't have yet.
 */
export function applyPositions(
  fleet: FleetState,
  positions: Iterable<LivePosition>,
): { fleet: FleetState; changed: number; missing: string[] } {
  const index = fleetIndex(fleet);
  let next: FleetState | null = null;
  let changed = 0;
  const missing: string[] = [];
  for (const position of positions) {
    const at = index.get(position.vehicle_id);
    if (at === undefined) {
      missing.push(position.vehicle_id);
      continue;
    }
    const before = (next ?? fleet)[at] as VehicleWithState;
    const after = vehicleAfter(before, position);
    if (after === before) continue;
    next ??= fleet.slice();
    next[at] = after;
    changed += 1;
  }
  if (!next) return { fleet, changed, missing };
  indexes.set(next, index); // same vehicles, same places
  return { fleet: next, changed, missing };
}
