/**
 * Words for the values an event carries: field labels, record names instead of ids, dates,
 * statuses. Nothing here ever prints a raw id: an id the server could not name is "a deleted
 * record".
 */
import type { Schemas } from "@/lib/api";
import { formatDateTime, formatNumber, humanize } from "@/lib/format";

export type AuditEvent = Schemas["EventRead"];
export type EventTypeName = Schemas["EventType"]["type"];
export interface Change {
  before: unknown;
  after: unknown;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
export const isId = (value: unknown): boolean =>
  typeof value === "string" && UUID.test(value) && value.replace(UUID, "").trim() === "";

/** Fields worth no words: bookkeeping the log records alongside real changes. */
export const QUIET_FIELDS = new Set(["id", "tenant_id", "version", "created_at", "updated_at", "prefix"]);

const LABELS: Record<string, string> = {
  vin: "VIN",
  plate: "plate",
  name: "name",
  make: "make",
  model: "model",
  year: "year",
  type: "type",
  fuel_type: "fuel type",
  odometer_km: "odometer",
  tags: "tags",
  status_detail: "status details",
  email: "e-mail",
  phone: "phone number",
  licence_number: "licence number",
  licence_class: "licence class",
  licence_expiry: "licence expiry date",
  unique_id: "device identifier",
  protocol: "protocol",
  purpose: "purpose",
  starts_at: "start",
  ends_at: "end",
  kind: "kind",
  url: "address",
  description: "description",
  event_types: "events",
  active: "active setting",
  role: "role",
  slug: "short name",
  branding: "branding",
  features: "features",
  limits: "limits",
  primary_color: "colour",
  logo_url: "logo",
  display_name: "display name",
  group_id: "group",
  parent_id: "parent group",
  vehicle_id: "vehicle",
  assigned_vehicle_id: "assigned vehicle",
  driver_id: "driver",
  device_id: "device",
  user_id: "member",
  acknowledged_by: "acknowledged by",
  acknowledged_at: "acknowledged at",
  cleared_at: "cleared at",
  opened_at: "opened at",
  severity: "severity",
  message: "message",
  code: "code",
  command: "command",
  expected_return: "expected return",
  shop: "workshop",
  retired_on: "retirement date",
  reason: "reason",
  status: "status",
};

/** `licence_expiry` → "licence expiry date"; an unknown field in plain words. */
export function fieldLabel(field: string): string {
  return LABELS[field] ?? humanize(field).toLowerCase();
}

const UNITS: Record<string, string> = { odometer_km: "km" };

/** What an id field points at, for an id the server could not name (its record is gone). */
const GONE: Record<string, string> = {
  group_id: "a deleted group",
  parent_id: "a deleted group",
  vehicle_id: "a deleted vehicle",
  assigned_vehicle_id: "a deleted vehicle",
  driver_id: "a deleted driver",
  device_id: "a deleted device",
  user_id: "a former member",
  acknowledged_by: "a former member",
};

/** A value in words: names for ids, dates for instants, "nothing" for nothing. */
export function valueText(value: unknown, names: Record<string, string> = {}, field = ""): string {
  if (value === null || value === undefined || value === "") return "nothing";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return formatNumber(value, UNITS[field] ?? "");
  if (typeof value === "string") {
    if (isId(value)) return names[value] ?? GONE[field] ?? "a deleted record";
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value);
    if (field === "status" || field === "type" || field === "fuel_type" || field === "role")
      return humanize(value).toLowerCase();
    return value.replace(new RegExp(UUID, "gi"), "a record");
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "none";
    const words = value.map((v) => (field === "event_types" ? eventTypeWords(v) : valueText(v, names)));
    return words.join(", ");
  }
  if (typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => v !== null && v !== undefined && v !== "" && !QUIET_FIELDS.has(k))
      .map(([k, v]) => (k === "state" ? humanize(String(v)).toLowerCase() : `${fieldLabel(k)} ${valueText(v, names, k)}`));
    return parts.length ? parts.join(", ") : "nothing";
  }
  return String(value);
}

/** "vehicle_created" → "Vehicle created"; "*" → "every event". */
export function eventTypeWords(type: unknown): string {
  if (type === "*") return "every event";
  return humanize(String(type));
}

/** ‘Coolant 112 °C’: a name as it reads inside a sentence. */
export const quoted = (text: string) => `‘${text}’`;

const ROLE_WORDS: Record<string, string> = { api_key: "API key" };

/** "fleet_manager" → "Fleet manager". */
export function roleWords(role: string): string {
  return ROLE_WORDS[role] ?? humanize(role);
}
