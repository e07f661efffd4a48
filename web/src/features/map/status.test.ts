import { describe, expect, it } from "vitest";

import { testVehicle, type TestFix } from "@/test/fleet";

import type { VehicleWithState } from "./api";
import { collection, featureDiff, fleetFeatures } from "./features";
import { STALE_AFTER_MS, vehicleStatus } from "./status";

const NOW = Date.parse("2026-05-01T12:00:00Z");

/** A vehicle with a fix 5 s before NOW, changed by `state`; null for no fix yet. */
function vehicle(id: string, state: TestFix | null): VehicleWithState {
  const recent = new Date(NOW - 5000).toISOString();
  return testVehicle(id, `P-${id}`, state && { fix_time: recent, server_time: recent, ...state });
}

describe("vehicle status", () => {
  it("is the first that holds: alert, offline, parked, moving, idle", () => {
    const old = new Date(NOW - STALE_AFTER_MS - 1).toISOString();
    expect(vehicleStatus(vehicle("a", { speed_kmh: 50, fix_time: old }), true, NOW)).toBe("alert");
    expect(vehicleStatus(vehicle("a", { speed_kmh: 50, fix_time: old }), false, NOW)).toBe("offline");
    expect(vehicleStatus(vehicle("a", { ignition: false, speed_kmh: 0 }), false, NOW)).toBe("parked");
    expect(vehicleStatus(vehicle("a", { speed_kmh: 42 }), false, NOW)).toBe("moving");
    expect(vehicleStatus(vehicle("a", { speed_kmh: 1 }), false, NOW)).toBe("idle");
    expect(vehicleStatus(vehicle("a", { speed_kmh: null, ignition: null }), false, NOW)).toBe("idle");
    expect(vehicleStatus(vehicle("a", null), false, NOW)).toBe("none");
  });
});

describe("vehicle features", () => {
  it("leaves out vehicles with no fix, and diffs to the few that changed", () => {
    const fleet = [vehicle("a", {}), vehicle("b", { speed_kmh: 30 }), vehicle("c", null)];
    const before = fleetFeatures(fleet, new Set(), NOW);
    expect([...before.keys()]).toEqual(["a", "b"]);
    expect(collection(before.values()).features[1]?.properties).toEqual({
      id: "b",
      label: "P-b",
      status: "moving",
      course: 0,
    });

    const moved = [vehicle("a", {}), vehicle("b", { speed_kmh: 30, latitude: 60.2 }), vehicle("c", {})];
    const after = fleetFeatures(moved, new Set(["a"]), NOW);
    const diff = featureDiff(before, after);
    expect(diff.add.map((f) => f.id)).toEqual(["c"]);
    expect(diff.update.map((u) => [u.id, u.newGeometry.coordinates])).toEqual([
      ["a", [24.94, 60.17]], // status changed to alert
      ["b", [24.94, 60.2]],
    ]);
    expect(diff.remove).toEqual([]);
    expect(featureDiff(after, new Map()).remove).toEqual(["a", "b", "c"]);
  });
});
