import type { ActiveWindow, AlertOn, Geofence, GeofenceCreate, Weekday } from "./api";
import { toGeometry, type Draft } from "./geometry";

/** The editor's fields as typed (numbers as text, so a half-typed value is not lost). */
export interface FormState {
  name: string;
  colour: string;
  allVehicles: boolean;
  groupIds: string[];
  speedLimit: string;
  dwellMinutes: string;
  alertOn: AlertOn[];
  activeHours: ActiveWindow[];
}

export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const WEEKDAY_LABELS: Record<Weekday, string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};
export const ALERT_ON: readonly AlertOn[] = ["enter", "exit", "dwell", "speeding"];
export const ALERT_LABELS: Record<AlertOn, string> = {
  enter: "Entering",
  exit: "Leaving",
  dwell: "Staying too long",
  speeding: "Speeding inside",
};

export const EMPTY_FORM: FormState = {
  name: "",
  colour: "#2563eb",
  allVehicles: true,
  groupIds: [],
  speedLimit: "",
  dwellMinutes: "",
  alertOn: [],
  activeHours: [],
};

/** "07:00:00" → "07:00", as a time input shows it. */
function hhmm(time: string): string {
  return time.slice(0, 5);
}

export function formOf(fence: Geofence): FormState {
  return {
    name: fence.name,
    colour: fence.colour,
    allVehicles: fence.all_vehicles,
    groupIds: fence.group_ids,
    speedLimit: fence.speed_limit_kmh === null ? "" : String(fence.speed_limit_kmh),
    dwellMinutes: fence.dwell_minutes === null ? "" : String(fence.dwell_minutes),
    alertOn: fence.alert_on,
    activeHours: (fence.active_hours ?? []).map((w) => ({ ...w, start: hhmm(w.start), end: hhmm(w.end) })),
  };
}

export type FieldErrors = Partial<Record<"name" | "colour" | "groupIds" | "speedLimit" | "dwellMinutes" | "activeHours", string>>;

function wholeNumber(text: string, min: number, max: number): number | null | "bad" {
  if (text.trim() === "") return null;
  const value = Number(text);
  return Number.isInteger(value) && value >= min && value <= max ? value : "bad";
}

/** What the server would refuse in the fields (the shape is checked by validateDraft). */
export function checkForm(form: FormState): FieldErrors {
  const errors: FieldErrors = {};
  if (!form.name.trim()) errors.name = "Give the geofence a name.";
  else if (form.name.trim().length > 200) errors.name = "At most 200 characters.";
  if (!/^#[0-9a-fA-F]{6}$/.test(form.colour)) errors.colour = "A colour as #rrggbb.";
  if (!form.allVehicles && form.groupIds.length === 0) errors.groupIds = "Choose at least one group, or all vehicles.";
  if (wholeNumber(form.speedLimit, 5, 300) === "bad") errors.speedLimit = "A whole number from 5 to 300 km/h, or empty.";
  if (wholeNumber(form.dwellMinutes, 1, 10_080) === "bad")
    errors.dwellMinutes = "A whole number of minutes from 1 to 10,080 (a week), or empty.";
  if (form.activeHours.some((w) => w.days.length === 0 || !w.start || !w.end))
    errors.activeHours = "Each window needs at least one day, a start and an end.";
  return errors;
}

/** The body of a create (and, all fields sent, of an update). */
export function bodyOf(form: FormState, draft: Draft): GeofenceCreate {
  const speed = wholeNumber(form.speedLimit, 5, 300);
  const dwell = wholeNumber(form.dwellMinutes, 1, 10_080);
  const { geometry, radius_m } = toGeometry(draft);
  return {
    name: form.name.trim(),
    colour: form.colour.toLowerCase(),
    geometry: geometry as GeofenceCreate["geometry"],
    radius_m,
    all_vehicles: form.allVehicles,
    group_ids: form.allVehicles ? [] : form.groupIds,
    speed_limit_kmh: typeof speed === "number" ? speed : null,
    dwell_minutes: typeof dwell === "number" ? dwell : null,
    alert_on: ALERT_ON.filter((kind) => form.alertOn.includes(kind)),
    active_hours: form.activeHours.length ? form.activeHours : null,
  };
}

/** A list line describing a fence: "circle, 150 m · 30 km/h · alerts on entering". */
export function summary(fence: Geofence): string {
  const parts = [
    fence.shape === "circle" && fence.radius_m !== null
      ? `circle, ${formatDistance(fence.radius_m)} radius`
      : `polygon, ${formatArea(fence.area_m2)}`,
  ];
  if (fence.speed_limit_kmh !== null) parts.push(`${fence.speed_limit_kmh} km/h`);
  if (fence.dwell_minutes !== null) parts.push(`stay over ${fence.dwell_minutes} min`);
  if (!fence.all_vehicles) parts.push(`${fence.group_ids.length} group${fence.group_ids.length === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

export function formatDistance(metres: number): string {
  return metres >= 1000 ? `${Number((metres / 1000).toFixed(2))} km` : `${Math.round(metres)} m`;
}

export function formatArea(m2: number): string {
  return m2 >= 1_000_000 ? `${Number((m2 / 1_000_000).toFixed(2))} km²` : `${Math.round(m2).toLocaleString("en")} m²`;
}
