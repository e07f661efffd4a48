import type { FuelType, Vehicle, VehicleChanges, VehicleStatus, VehicleType } from "../api";

/** The edit form's fields, as the inputs hold them (text). */
export interface VehicleForm {
  plate: string;
  name: string;
  vin: string;
  make: string;
  model: string;
  year: string;
  type: VehicleType;
  fuel_type: FuelType;
  odometer_km: string;
  status: VehicleStatus;
  shop: string;
  expected_return: string;
  retired_on: string;
  reason: string;
  group_id: string;
  tags: string;
}

export type FormProblems = Partial<Record<keyof VehicleForm, string>>;

const PLATE = /^[A-Za-z0-9 \-·.]+$/;
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/i;

export function formFromVehicle(vehicle: Vehicle): VehicleForm {
  const status = vehicle.status;
  return {
    plate: vehicle.plate ?? "",
    name: vehicle.name ?? "",
    vin: vehicle.vin ?? "",
    make: vehicle.make ?? "",
    model: vehicle.model ?? "",
    year: vehicle.year?.toString() ?? "",
    type: vehicle.type as VehicleType,
    fuel_type: vehicle.fuel_type as FuelType,
    odometer_km: String(vehicle.odometer_km),
    status: status.state ?? "active",
    shop: status.state === "in_maintenance" ? status.shop : "",
    expected_return: status.state === "in_maintenance" ? (status.expected_return ?? "") : "",
    retired_on: status.state === "retired" ? status.retired_on : "",
    reason: status.state === "retired" ? status.reason : "",
    group_id: vehicle.group_id ?? "",
    tags: vehicle.tags.join(", "),
  };
}

const text = (value: string): string | null => value.trim() || null;

function statusOf(form: VehicleForm, problems: FormProblems): Vehicle["status"] {
  if (form.status === "in_maintenance") {
    if (!form.shop.trim()) problems.shop = "Say which shop has it.";
    return {
      state: "in_maintenance",
      shop: form.shop.trim(),
      expected_return: form.expected_return || null,
    };
  }
  if (form.status === "retired") {
    if (!form.retired_on) problems.retired_on = "Give the day it was retired.";
    if (!form.reason.trim()) problems.reason = "Give a reason.";
    return { state: "retired", retired_on: form.retired_on, reason: form.reason.trim() };
  }
  return { state: "active" };
}

function sameStatus(a: Vehicle["status"], b: Vehicle["status"]): boolean {
  const normal = (s: Vehicle["status"]) =>
    JSON.stringify(s.state === "in_maintenance" ? { ...s, expected_return: s.expected_return ?? null } : s);
  return normal(a) === normal(b);
}

function tagsOf(value: string): string[] {
  return [...new Set(value.split(",").map((tag) => tag.trim()).filter(Boolean))];
}

/** What the form changes on `vehicle` (only the fields that differ), and what is wrong. */
export function changesFrom(form: VehicleForm, vehicle: Vehicle): { changes: VehicleChanges; problems: FormProblems } {
  const problems: FormProblems = {};
  const changes: VehicleChanges = {};
  const plate = text(form.plate);
  if (plate && (plate.length > 20 || !PLATE.test(plate))) {
    problems.plate = "Up to 20 letters, digits, spaces, dots or dashes.";
  }
  const vin = text(form.vin)?.toUpperCase() ?? null;
  if (vin && !VIN.test(vin)) problems.vin = "A VIN has 17 letters and digits (no I, O or Q).";
  const year = form.year.trim() ? Number(form.year) : null;
  if (year !== null && !(Number.isInteger(year) && year >= 1900 && year <= 2100)) {
    problems.year = "A year between 1900 and 2100.";
  }
  const odometer = Number(form.odometer_km);
  if (form.odometer_km.trim() === "" || !(odometer >= 0 && odometer <= 10_000_000)) {
    problems.odometer_km = "Kilometres, from 0 to 10,000,000.";
  }
  const status = statusOf(form, problems);
  const tags = tagsOf(form.tags);
  if (tags.some((tag) => tag.length > 64)) problems.tags = "A tag has at most 64 characters.";

  const set = <K extends keyof VehicleChanges>(field: K, value: VehicleChanges[K], current: unknown) => {
    if (JSON.stringify(value ?? null) !== JSON.stringify(current ?? null)) changes[field] = value;
  };
  set("plate", plate, vehicle.plate);
  set("name", text(form.name), vehicle.name);
  set("vin", vin, vehicle.vin);
  set("make", text(form.make), vehicle.make);
  set("model", text(form.model), vehicle.model);
  set("year", year, vehicle.year);
  set("type", form.type, vehicle.type);
  set("fuel_type", form.fuel_type, vehicle.fuel_type);
  if (!problems.odometer_km) set("odometer_km", odometer, vehicle.odometer_km);
  if (!sameStatus(status, vehicle.status)) changes.status = status;
  set("group_id", form.group_id || null, vehicle.group_id);
  set("tags", tags, vehicle.tags);
  return { changes, problems };
}
