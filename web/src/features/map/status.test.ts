import { describe, expect, it } from "vitest";

import { testVehicle, type TestFix } from "@/test/fleet";

import type { VehicleWithState } from "./api";
import { overlayVehicles } from "./features";
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

describe("the vehicles the overlay draws", () => {
  it("leaves out vehicles with no fix, and carries name, status and heading", () => {
    const fleet = [vehicle("a", {}), vehicle("b", { speed_kmh: 30, course: 135 }), vehicle("c", null)];
    const drawn = overlayVehicles(fleet, new Set(["a"]), NOW);
    expect(drawn.map((v) => v.id)).toEqual(["a", "b"]);
    expect(drawn[0]?.status).toBe("alert");
    expect(drawn[1]).toEqual({ id: "b", lng: 24.94, lat: 60.17, label: "P-b", status: "moving", course: 135 });
    expect(overlayVehicles([vehicle("d", { course: null })], new Set(), NOW)[0]?.course).toBeNull();
  });
});
