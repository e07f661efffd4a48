// How a connection's health and a test's answer are worded: states with a colour and words,
// "… ago", the lag, what a vendor vehicle was matched by. Free of React, tested on its own.
import type { Integration, IntegrationCheck, IntegrationVehicle, ProblemKind } from "./api";

export type Tone = "ok" | "warning" | "danger" | "inactive";

export interface StateWords {
  /** The badge: a word or two. */
  label: string;
  tone: Tone;
  /** What it means and what to do, in a sentence. */
  explain: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The connection's state as a person reads it (a paused record is paused, whatever ran last). */
export function stateWords(integration: Pick<Integration, "paused" | "status">): StateWords {
  const state = integration.paused ? "paused" : integration.status?.state;
  switch (state) {
    case "ok":
      return integration.status?.last_success_at
        ? { label: "OK", tone: "ok", explain: "Positions are coming in." }
        : { label: "OK", tone: "ok", explain: "Starting: the first poll is on its way." };
    case "backing_off":
      return {
        label: "Retrying",
        tone: "warning",
        explain: "The last poll failed; Fleetyard tries again with growing pauses.",
      };
    case "credentials_rejected":
      return {
        label: "Credentials rejected",
        tone: "danger",
        explain: "The vendor refused the credentials. Replace them to start again.",
      };
    case "paused":
      return { label: "Paused", tone: "inactive", explain: "Not polled until you resume it." };
    default:
      return { label: "Starting", tone: "inactive", explain: "Waiting for its first poll." };
  }
}

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago"; "never" without a time. */
export function timeAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return "never";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "never";
  const ago = Math.max(0, now - then);
  if (ago < 10 * SECOND) return "just now";
  if (ago < MINUTE) return `${Math.floor(ago / SECOND)} s ago`;
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  return `${Math.floor(ago / DAY)} d ago`;
}

/** How far behind the vendor's newest record: "under 1 s", "12 s", "4 min", "2 h 5 min", "3 d". */
export function lagText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, seconds);
  if (s < 1) return "under 1 s";
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) {
    const hours = Math.floor(s / 3600);
    const minutes = Math.floor((s % 3600) / 60);
    return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  return `${Math.floor(s / 86_400)} d`;
}

const PROBLEM_HEADLINES: Record<ProblemKind, string> = {
  credentials_rejected: "The vendor refused the credentials.",
  rate_limited: "The vendor is limiting requests right now.",
  unavailable: "Couldn't reach the vendor.",
  bad_response: "The vendor's answer couldn't be read.",
};

/** A test's answer: a headline ("12 vehicles found") and the vendor's own words. */
export function checkWords(check: IntegrationCheck): { ok: boolean; headline: string; detail: string } {
  if (check.ok) {
    const count = check.vehicles ?? 0;
    return {
      ok: true,
      headline: `Connected: ${count} ${count === 1 ? "vehicle" : "vehicles"} found.`,
      detail: sentence(check.message),
    };
  }
  return {
    ok: false,
    headline: check.problem ? PROBLEM_HEADLINES[check.problem] : "The test failed.",
    detail: sentence(check.message),
  };
}

/** The vendor's words as a sentence: a capital first and a full stop at the end. */
export function sentence(text: string | null | undefined): string {
  const trimmed = (text ?? "").trim();
  if (!trimmed) return "";
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

const MATCHED_BY: Record<string, string> = {
  vin: "by VIN",
  name: "by name",
  plate: "by plate",
  serial: "by serial number",
  person: "by hand",
};

export function matchedByWords(vehicle: Pick<IntegrationVehicle, "vehicle_id" | "matched_by">): string {
  if (!vehicle.vehicle_id) return "Waiting for a match";
  return `Matched ${MATCHED_BY[vehicle.matched_by ?? ""] ?? "automatically"}`;
}

/** How a vendor vehicle is named in a list: its name, else its plate, VIN or id. */
export function vendorVehicleLabel(vehicle: IntegrationVehicle): string {
  return vehicle.name || vehicle.plate || vehicle.vin || vehicle.serial || vehicle.vendor_id;
}
