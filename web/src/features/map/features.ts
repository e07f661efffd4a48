/**
 * The fleet as GeoJSON for the vehicles source, and the smallest update from one frame to
 * the next: MapLibre re-indexes (and re-clusters) only what changed.
 */
import type { Feature, FeatureCollection, Point } from "geojson";

import type { FleetState, VehicleWithState } from "./api";
import { vehicleLabel, vehicleStatus, type VehicleStatus } from "./status";

export interface VehicleProperties {
  id: string;
  label: string;
  status: VehicleStatus;
  course: number;
}

export type VehicleFeature = Feature<Point, VehicleProperties>;

export function vehicleFeature(
  vehicle: VehicleWithState,
  alerted: ReadonlySet<string>,
  now: number,
): VehicleFeature | null {
  const state = vehicle.state;
  if (!state) return null;
  const status = vehicleStatus(vehicle, alerted.has(vehicle.vehicle_id), now);
  return {
    type: "Feature",
    id: vehicle.vehicle_id,
    geometry: { type: "Point", coordinates: [state.longitude, state.latitude] },
    properties: {
      id: vehicle.vehicle_id,
      label: vehicleLabel(vehicle),
      status: status as VehicleStatus, // never "none": it has a fix
      course: state.course ?? 0,
    },
  };
}

export function fleetFeatures(
  fleet: FleetState,
  alerted: ReadonlySet<string>,
  now: number,
): Map<string, VehicleFeature> {
  const features = new Map<string, VehicleFeature>();
  for (const vehicle of fleet) {
    const feature = vehicleFeature(vehicle, alerted, now);
    if (feature) features.set(vehicle.vehicle_id, feature);
  }
  return features;
}

export function collection(features: Iterable<VehicleFeature>): FeatureCollection<Point, VehicleProperties> {
  return { type: "FeatureCollection", features: [...features] };
}

function same(a: VehicleFeature, b: VehicleFeature): boolean {
  const [ax, ay] = a.geometry.coordinates;
  const [bx, by] = b.geometry.coordinates;
  return (
    ax === bx &&
    ay === by &&
    a.properties.status === b.properties.status &&
    a.properties.label === b.properties.label &&
    a.properties.course === b.properties.course
  );
}

export interface SourceDiff {
  add: VehicleFeature[];
  update: { id: string; newGeometry: Point; addOrUpdateProperties: { key: string; value: unknown }[] }[];
  remove: string[];
}

/** What changed from `before` to `after` (features by vehicle id). */
export function featureDiff(
  before: ReadonlyMap<string, VehicleFeature>,
  after: ReadonlyMap<string, VehicleFeature>,
): SourceDiff {
  const diff: SourceDiff = { add: [], update: [], remove: [] };
  for (const [id, feature] of after) {
    const old = before.get(id);
    if (!old) diff.add.push(feature);
    else if (!same(old, feature)) {
      diff.update.push({
        id,
        newGeometry: feature.geometry,
        addOrUpdateProperties: Object.entries(feature.properties).map(([key, value]) => ({ key, value })),
      });
    }
  }
  for (const id of before.keys()) if (!after.has(id)) diff.remove.push(id);
  return diff;
}

export function diffSize(diff: SourceDiff): number {
  return diff.add.length + diff.update.length + diff.remove.length;
}
