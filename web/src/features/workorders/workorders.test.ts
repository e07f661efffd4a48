import { describe, expect, it } from "vitest";

import { allowedMoves, downtime, fromCents, fromLocalInput, lineAmount, toCents, toLocalInput, totals } from "./workorders";

describe("a work order's rules", () => {
  it("moves only along the workflow's arrows", () => {
    expect(allowedMoves("open")).toEqual(["in_progress", "cancelled"]);
    expect(allowedMoves("in_progress")).toEqual(["completed", "cancelled"]);
    expect(allowedMoves("completed")).toEqual([]);
    expect(allowedMoves("cancelled")).toEqual([]);
  });

  it("adds money in cents, never in floats", () => {
    expect(toCents("0.1") + toCents("0.2")).toBe(30);
    expect(fromCents(toCents("0.1") + toCents("0.2"))).toBe("0.30");
    expect(toCents("12")).toBe(1200);
    expect(toCents("-3.5")).toBe(-350);
    expect(Number.isNaN(toCents("abc"))).toBe(true);
    expect(fromCents(-5)).toBe("-0.05");
    const sum = totals([
      { kind: "labour", amount: "150.10" },
      { kind: "part", amount: "0.20" },
      { kind: "part", amount: "99.99" },
    ]);
    expect(sum).toEqual({ labour: "150.10", parts: "100.19", total: "250.29" });
  });

  it("prices a line: hours × rate, quantity × unit cost", () => {
    expect(lineAmount({ kind: "labour", hours: "1.5", rate: "80.00" })).toBe("120.00");
    expect(lineAmount({ kind: "part", quantity: "3", unit_cost: "19.99" })).toBe("59.97");
    expect(lineAmount({ kind: "part", quantity: "2", unit_cost: null })).toBe("0.00");
  });

  it("says the downtime, closed or still running", () => {
    expect(downtime({ out_of_service_from: null, out_of_service_until: null })).toBeNull();
    expect(downtime({ out_of_service_from: "2026-12-01T08:00:00Z", out_of_service_until: "2026-12-01T14:00:00Z" })).toBe("6 h");
    expect(downtime({ out_of_service_from: "2026-12-01T08:00:00Z", out_of_service_until: "2026-12-04T10:00:00Z" })).toBe("3 days 2 h");
    expect(downtime({ out_of_service_from: "2026-12-01T08:00:00Z", out_of_service_until: null }, Date.parse("2026-12-01T11:00:00Z"))).toBe("3 h so far");
  });

  it("round-trips a local date and time input", () => {
    const iso = "2026-12-01T08:30:00.000Z";
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
    expect(fromLocalInput("")).toBeNull();
    expect(toLocalInput(null)).toBe("");
  });
});
