import { describe, expect, it } from "vitest";

import type { Vehicle } from "../api";
import { changesFrom, formFromVehicle } from "./vehicleForm";

const vehicle: Vehicle = {
  id: "v1",
  version: 4,
  vin: null,
  plate: "AB-123",
  name: "Van 1",
  make: "Ford",
  model: "Transit",
  year: 2020,
  type: "van",
  fuel_type: "diesel",
  odometer_km: 1000,
  status: { state: "active" },
  group_id: null,
  tags: ["north"],
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

describe("the vehicle edit form", () => {
  it("sends only what changed", () => {
    const form = { ...formFromVehicle(vehicle), name: "Van one", odometer_km: "1500.5", tags: "north, cold , north" };
    expect(changesFrom(form, vehicle)).toEqual({
      changes: { name: "Van one", odometer_km: 1500.5, tags: ["north", "cold"] },
      problems: {},
    });
    expect(changesFrom(formFromVehicle(vehicle), vehicle).changes).toEqual({});
  });

  it("builds the status with its own fields, and says what is missing", () => {
    const form = { ...formFromVehicle(vehicle), status: "in_maintenance" as const, shop: "" };
    expect(changesFrom(form, vehicle).problems).toEqual({ shop: "Say which shop has it." });
    const fixed = { ...form, shop: "Main St Garage", expected_return: "2026-02-01" };
    expect(changesFrom(fixed, vehicle).changes).toEqual({
      status: { state: "in_maintenance", shop: "Main St Garage", expected_return: "2026-02-01" },
    });
  });

  it("clears optional text to null and checks plate, VIN, year and odometer", () => {
    const cleared = { ...formFromVehicle(vehicle), name: "  " };
    expect(changesFrom(cleared, vehicle).changes).toEqual({ name: null });
    const wrong = { ...formFromVehicle(vehicle), plate: "AB/123", vin: "123", year: "1800", odometer_km: "-1" };
    expect(Object.keys(changesFrom(wrong, vehicle).problems).sort()).toEqual(["odometer_km", "plate", "vin", "year"]);
  });
});
