import { describe, expect, it } from "vitest";

import { byDomain, eventTypeLabel, eventTypeLabels, type EventTypeInfo } from "./eventTypes";

const TYPES: EventTypeInfo[] = [
  { type: "vehicle_created", domain: "vehicle", domain_label: "Vehicles", label: "Vehicle created" },
  { type: "alert_opened", domain: "alert", domain_label: "Alerts", label: "Alert opened" },
  { type: "vehicle_deleted", domain: "vehicle", domain_label: "Vehicles", label: "Vehicle deleted" },
];

describe("webhook event types in words", () => {
  it("groups the API's list by domain, keeping its order", () => {
    expect(byDomain(TYPES).map((d) => [d.label, d.types.map((t) => t.label)])).toEqual([
      ["Vehicles", ["Vehicle created", "Vehicle deleted"]],
      ["Alerts", ["Alert opened"]],
    ]);
  });

  it("labels the real names, and a name it doesn't list in plain words", () => {
    expect(eventTypeLabel("alert_opened", TYPES)).toBe("Alert opened");
    expect(eventTypeLabel("*", TYPES)).toBe("Every event");
    expect(eventTypeLabel("trip_started", TYPES)).toBe("Trip started");
    expect(eventTypeLabels(["vehicle_created", "alert_opened"], TYPES)).toBe("Vehicle created, Alert opened");
    expect(eventTypeLabels([], TYPES)).toBe("none");
  });
});
