import { describe, expect, it } from "vitest";

import type { ScheduleDue } from "./api";
import { byUrgency, countDue, monthGrid, remainingWords, shiftMonth } from "./calendar";
import { daysWords, driverSentence, riskLevel } from "./predictions";
import { intervalWords } from "./components/SchedulesPage";

function due(fields: Partial<ScheduleDue> = {}): ScheduleDue {
  return {
    schedule_id: "s1",
    schedule_name: "Oil change",
    component: "engine",
    vehicle_id: "v1",
    status: "ok",
    due_by: [],
    last_done_km: null,
    last_done_hours: null,
    last_done_on: "2026-01-01",
    next_due_km: null,
    next_due_hours: null,
    next_due_on: null,
    remaining_km: null,
    remaining_hours: null,
    remaining_days: null,
    last_work_order_id: null,
    ...fields,
  };
}

describe("the maintenance overview's logic", () => {
  it("puts the most urgent first and counts what is not OK", () => {
    const items = [
      due({ vehicle_id: "a", status: "due_soon", next_due_on: "2026-12-20" }),
      due({ vehicle_id: "b", status: "overdue", next_due_on: "2026-11-01" }),
      due({ vehicle_id: "c", status: "ok" }),
      due({ vehicle_id: "d", status: "due_soon", next_due_on: "2026-12-10" }),
      due({ vehicle_id: "e", status: "due" }),
    ];
    expect([...items].sort(byUrgency).map((i) => i.vehicle_id)).toEqual(["b", "e", "d", "a", "c"]);
    expect(countDue(items)).toEqual({ overdue: 1, due: 1, due_soon: 2 });
  });

  it("says what is left, or how far past due", () => {
    expect(remainingWords(due({ remaining_km: "-400.0", remaining_days: 12 }))).toBe("400 km over, 12 days left");
    expect(remainingWords(due({ remaining_hours: "20.0", remaining_days: -3 }))).toBe("20 engine hours left, 3 days late");
    expect(remainingWords(due({ remaining_days: 0 }))).toBe("due today");
    expect(remainingWords(due())).toBe("—");
  });

  it("lays a month out in whole weeks, Monday first, each service on its day", () => {
    // December 2026 starts on a Tuesday and has 31 days: five weeks
    const weeks = monthGrid("2026-12", [due({ next_due_on: "2026-12-15" }), due({ vehicle_id: "v2", next_due_on: "2027-01-02" }), due({ next_due_on: null })]);
    expect(weeks).toHaveLength(5);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(weeks[0]![0]).toMatchObject({ day: "2026-11-30", inMonth: false });
    expect(weeks[0]![1]).toMatchObject({ day: "2026-12-01", inMonth: true });
    expect(weeks.at(-1)!.at(-1)).toMatchObject({ day: "2027-01-03", inMonth: false });
    const placed = weeks.flat().filter((d) => d.items.length);
    expect(placed.map((d) => d.day)).toEqual(["2026-12-15", "2027-01-02"]);
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    // February 2027 starts on a Monday: exactly four weeks
    expect(monthGrid("2027-02", [])).toHaveLength(4);
  });

  it("says a schedule's intervals, whichever first", () => {
    expect(intervalWords({ interval_km: "15000.0", interval_hours: null, interval_days: null, interval_months: 12 })).toBe(
      `Every ${(15000).toLocaleString()} km or 12 months, whichever first`,
    );
    expect(intervalWords({ interval_km: null, interval_hours: null, interval_days: 90, interval_months: null })).toBe("Every 90 days");
  });

  it("explains a prediction in words", () => {
    expect(daysWords({ days_to_failure: 45, days_to_failure_low: 20, days_to_failure_high: 90 })).toBe(
      "in about 45 days (80 % between 20 and 90 days)",
    );
    expect(daysWords({ days_to_failure: null, days_to_failure_low: 200, days_to_failure_high: null })).toBe(
      "not within a year (10 % chance before 200 days)",
    );
    expect(daysWords({ days_to_failure: null, days_to_failure_low: null, days_to_failure_high: null })).toBe("not expected within a year");
    const driver = { feature: "crank_v_trend_30d", label: "cranking voltage trend over 30 days", value: -0.0312, unit: "V/day", effect: "raises", weight: 0.8 } as const;
    expect(driverSentence(driver)).toBe("Cranking voltage trend over 30 days: -0.03 V/day, raises the risk");
    expect(driverSentence({ ...driver, feature: "days_since_service", label: "", value: "none", unit: "", effect: "lowers" })).toBe(
      "Days since service: none, lowers the risk",
    );
    expect([riskLevel(0.5), riskLevel(0.15), riskLevel(0.01)]).toEqual(["high", "medium", "low"]);
  });
});
