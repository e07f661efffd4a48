import { describe, expect, it } from "vitest";

import type { IntegrationStatus } from "./api";
import { checkWords, lagText, matchedByWords, sentence, stateWords, timeAgo, vendorVehicleLabel } from "./status";

const NOW = Date.parse("2026-03-01T12:00:00Z");

function status(patch: Partial<IntegrationStatus>): IntegrationStatus {
  return {
    state: "ok",
    last_success_at: null,
    last_error: null,
    last_error_at: null,
    lag_s: null,
    records_total: 0,
    skipped_total: 0,
    records_last_hour: 0,
    ...patch,
  };
}

describe("a connection's state", () => {
  it("is said in words with a tone for each state", () => {
    const words = (patch: Partial<IntegrationStatus>, paused = false) => stateWords({ paused, status: status(patch) });
    expect(words({ last_success_at: "2026-03-01T11:59:00Z" })).toMatchObject({ label: "OK", tone: "ok", explain: "Positions are coming in." });
    expect(words({})).toMatchObject({ label: "OK", tone: "ok", explain: expect.stringMatching(/first poll/) });
    expect(words({ state: "backing_off" })).toMatchObject({ label: "Retrying", tone: "warning" });
    expect(words({ state: "credentials_rejected" })).toMatchObject({
      label: "Credentials rejected",
      tone: "danger",
      explain: "The vendor refused the credentials. Replace them to start again.",
    });
    expect(words({ state: "paused" })).toMatchObject({ label: "Paused", tone: "inactive" });
  });

  it("is paused when the record is, whatever the runner last wrote; starting without a status", () => {
    expect(stateWords({ paused: true, status: status({ state: "backing_off" }) }).label).toBe("Paused");
    expect(stateWords({ paused: false, status: null }).label).toBe("Starting");
  });
});

describe("time ago", () => {
  it("counts seconds, minutes, hours and days", () => {
    const ago = (ms: number) => timeAgo(new Date(NOW - ms).toISOString(), NOW);
    expect(ago(3_000)).toBe("just now");
    expect(ago(42_000)).toBe("42 s ago");
    expect(ago(3 * 60_000 + 59_000)).toBe("3 min ago");
    expect(ago(5 * 3_600_000)).toBe("5 h ago");
    expect(ago(2 * 86_400_000 + 5)).toBe("2 d ago");
  });

  it("says never without a time, and no future", () => {
    expect(timeAgo(null, NOW)).toBe("never");
    expect(timeAgo("not a date", NOW)).toBe("never");
    expect(timeAgo(new Date(NOW + 60_000).toISOString(), NOW)).toBe("just now");
  });
});

describe("lag", () => {
  it("is short and rounded", () => {
    expect(lagText(null)).toBe("—");
    expect(lagText(0.3)).toBe("under 1 s");
    expect(lagText(12.4)).toBe("12 s");
    expect(lagText(245)).toBe("4 min");
    expect(lagText(2 * 3600 + 5 * 60 + 9)).toBe("2 h 5 min");
    expect(lagText(3 * 3600)).toBe("3 h");
    expect(lagText(3 * 86_400 + 5)).toBe("3 d");
  });
});

describe("a test's answer", () => {
  it("counts the vehicles found", () => {
    expect(checkWords({ ok: true, vehicles: 12, message: "Samsara accepted the API token: 12 vehicles found" })).toEqual({
      ok: true,
      headline: "Connected: 12 vehicles found.",
      detail: "Samsara accepted the API token: 12 vehicles found.",
    });
    expect(checkWords({ ok: true, vehicles: 1, message: "" }).headline).toBe("Connected: 1 vehicle found.");
  });

  it("names the vendor's problem in plain words", () => {
    expect(checkWords({ ok: false, problem: "credentials_rejected", message: "Samsara refused the API token" })).toEqual({
      ok: false,
      headline: "The vendor refused the credentials.",
      detail: "Samsara refused the API token.",
    });
    expect(checkWords({ ok: false, problem: "unavailable", message: "x" }).headline).toBe("Couldn't reach the vendor.");
    expect(checkWords({ ok: false, problem: "rate_limited", message: "x" }).headline).toMatch(/limiting/);
    expect(checkWords({ ok: false, problem: "bad_response", message: "x" }).headline).toMatch(/couldn't be read/);
  });

  it("ends the vendor's words as a sentence", () => {
    expect(sentence("the vendor did not answer")).toBe("The vendor did not answer.");
    expect(sentence("Done!")).toBe("Done!");
    expect(sentence(null)).toBe("");
  });
});

describe("vendor vehicles", () => {
  const vehicle = {
    vendor_id: "281474977075805",
    name: null,
    vin: null,
    serial: null,
    plate: "SYN123",
    device_id: null,
    vehicle_id: null,
    matched_by: null,
    last_seen_at: "2026-03-01T11:00:00Z",
  };

  it("say how they were matched, or that they wait", () => {
    expect(matchedByWords(vehicle)).toBe("Waiting for a match");
    expect(matchedByWords({ vehicle_id: "v1", matched_by: "vin" })).toBe("Matched by VIN");
    expect(matchedByWords({ vehicle_id: "v1", matched_by: "person" })).toBe("Matched by hand");
    expect(matchedByWords({ vehicle_id: "v1", matched_by: "something new" })).toBe("Matched automatically");
  });

  it("are named by name, else plate, VIN, serial or id", () => {
    expect(vendorVehicleLabel(vehicle)).toBe("SYN123");
    expect(vendorVehicleLabel({ ...vehicle, name: "Little Red" })).toBe("Little Red");
    expect(vendorVehicleLabel({ ...vehicle, plate: null })).toBe("281474977075805");
  });
});
