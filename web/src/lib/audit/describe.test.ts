import { describe, expect, it } from "vitest";

import openapi from "@/lib/api/openapi.json";

import { SENTENCES, describeEvent, type AuditEvent, type EventTypeName } from "./describe";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const ids = {
  vehicle: "01900000-0000-7000-8000-000000000001",
  pasila: "01900000-0000-7000-8000-000000000002",
  kamppi: "01900000-0000-7000-8000-000000000003",
  driver: "01900000-0000-7000-8000-000000000004",
  anna: "01900000-0000-7000-8000-000000000005",
  gone: "01900000-0000-7000-8000-0000000000ff",
};
const NAMES = { [ids.vehicle]: "ABC-123", [ids.pasila]: "Pasila depot", [ids.kamppi]: "Kamppi depot", [ids.driver]: "Mikko Mallikas", [ids.anna]: "Anna Virtanen" };

type Actor = AuditEvent["actor"];
const anna: Actor = { type: "user", id: ids.anna, name: "Anna Virtanen", role: "dispatcher" };
const tracker: Actor = { type: "system", id: null, name: "The tracker", role: null };

function event(type: string, changes: Record<string, [unknown, unknown]>, more: Partial<AuditEvent> = {}): AuditEvent {
  const entityType = more.entity_type ?? type.split("_").slice(0, type.startsWith("api_key") ? 2 : 1).join("_");
  return {
    id: 1,
    type,
    entity_type: entityType,
    entity_id: ids.vehicle,
    entity_name: "ABC-123",
    occurred_at: "2031-03-03T08:00:00Z",
    actor_type: (more.actor ?? anna).type,
    actor_id: (more.actor ?? anna).id,
    actor: anna,
    changes: Object.fromEntries(Object.entries(changes).map(([f, [before, after]]) => [f, { before, after }])),
    names: NAMES,
    request_id: null,
    ...more,
  };
}

const sentence = (e: AuditEvent, onRecordPage = false) => describeEvent(e, { onRecordPage }).sentence;

describe("the audit trail in sentences", () => {
  it("says who moved the vehicle where, by name", () => {
    const moved = event("vehicle_updated", { group_id: [ids.kamppi, ids.pasila] });
    expect(sentence(moved, true)).toBe("Dispatcher Anna Virtanen moved the vehicle to Pasila depot.");
    expect(sentence(moved)).toBe("Dispatcher Anna Virtanen moved the vehicle ABC-123 to Pasila depot.");
  });

  it("tells field changes in words", () => {
    expect(sentence(event("vehicle_updated", { plate: ["ABC-123", "ABC-124"] }), true)).toBe(
      "Dispatcher Anna Virtanen changed the plate from ABC-123 to ABC-124.",
    );
    expect(sentence(event("vehicle_updated", { odometer_km: [1200, 1250.5] }))).toBe(
      "Dispatcher Anna Virtanen changed the odometer of the vehicle ABC-123 from 1,200 km to 1,250.5 km.",
    );
    expect(sentence(event("vehicle_updated", { name: [null, "Van 9"], make: ["Ford", null] }), true)).toBe(
      "Dispatcher Anna Virtanen set the name to Van 9 and cleared the make (was Ford).",
    );
  });

  it("puts the vehicle in maintenance at its workshop, and back", () => {
    const inShop = event("vehicle_updated", {
      status: ["active", "in_maintenance"],
      status_detail: [{}, { shop: "Kamux" }],
    });
    expect(sentence(inShop, true)).toBe("Dispatcher Anna Virtanen put the vehicle in maintenance at Kamux.");
    const back = event("vehicle_updated", { status: ["in_maintenance", "active"], status_detail: [{ shop: "Kamux" }, {}] });
    expect(sentence(back, true)).toBe("Dispatcher Anna Virtanen brought the vehicle back from maintenance.");
  });

  it("names one record once and says 'it' after", () => {
    const both = event("vehicle_updated", { group_id: [null, ids.pasila], status: ["active", "retired"] });
    expect(sentence(both)).toBe("Dispatcher Anna Virtanen moved the vehicle ABC-123 to Pasila depot and retired it.");
  });

  it("acknowledges and raises alerts by their message", () => {
    const acknowledged = event(
      "alert_acknowledged",
      { acknowledged_at: [null, "2031-03-03T08:05:00Z"], acknowledged_by: [null, ids.anna] },
      { entity_name: "Coolant 112 °C" },
    );
    expect(sentence(acknowledged)).toBe("Dispatcher Anna Virtanen acknowledged the alert ‘Coolant 112 °C’.");
    const opened = event(
      "alert_opened",
      { vehicle_id: [null, ids.vehicle], severity: [null, "critical"], message: [null, "Coolant 112 °C"] },
      { actor: tracker, entity_name: "Coolant 112 °C" },
    );
    expect(sentence(opened)).toBe("The tracker raised a critical alert ‘Coolant 112 °C’ on ABC-123.");
  });

  it("names API keys and does not repeat a role the name already says", () => {
    const byKey = event("vehicle_created", { plate: [null, "ABC-123"], group_id: [null, ids.pasila] }, {
      actor: { type: "api_key", id: ids.gone, name: "Zapier sync", role: "fleet_manager" },
    });
    expect(sentence(byKey)).toBe("API key ‘Zapier sync’ added the vehicle ABC-123 to Pasila depot.");
    const demo = event("vehicle_deleted", {}, { actor: { type: "user", id: ids.anna, name: "Demo owner", role: "owner" } });
    expect(sentence(demo)).toBe("Demo owner deleted the vehicle ABC-123.");
    const system = event("group_created", { name: [null, "Pasila depot"] }, {
      actor: { type: "system", id: null, name: "System", role: null },
      entity_name: "Pasila depot",
    });
    expect(sentence(system)).toBe("System created the group Pasila depot.");
  });

  it("books, moves and cancels reservations", () => {
    const booked = event(
      "reservation_created",
      {
        vehicle_id: [null, ids.vehicle],
        driver_id: [null, ids.driver],
        starts_at: [null, "2031-03-03T08:00:00Z"],
        ends_at: [null, "2031-03-03T12:00:00Z"],
        status: [null, "confirmed"],
      },
      { entity_name: "ABC-123" },
    );
    const text = sentence(booked);
    expect(text).toMatch(/^Dispatcher Anna Virtanen booked ABC-123 from .+ to .+ for Mikko Mallikas\.$/);
    expect(sentence(event("reservation_updated", { status: ["confirmed", "cancelled"] }))).toBe(
      "Dispatcher Anna Virtanen cancelled the reservation of ABC-123.",
    );
  });

  it("says a driver was made inactive and a member's role changed", () => {
    const driver = event("driver_updated", { status: ["active", "inactive"] }, { entity_name: "Mikko Mallikas" });
    expect(sentence(driver)).toBe("Dispatcher Anna Virtanen marked the driver Mikko Mallikas inactive.");
    const member = event("member_updated", { role: ["viewer", "fleet_manager"] }, { entity_name: "Liisa" });
    expect(sentence(member)).toBe("Dispatcher Anna Virtanen changed the role of Liisa from viewer to fleet manager.");
  });

  it("says an id it cannot name is a deleted record, never the id", () => {
    const stale = event("vehicle_updated", { group_id: [ids.gone, ids.pasila] }, { names: {} });
    expect(sentence(stale, true)).toBe("Dispatcher Anna Virtanen moved the vehicle to a deleted group.");
  });

  it("reads unknown event types and fields as plain sentences", () => {
    const plan = event("fuel_card_imported", { distance_km: [null, 12] }, {
      entity_type: "fuel_card",
      entity_name: "Monday deliveries",
      actor: { type: "system", id: null, name: "System", role: null },
    });
    expect(sentence(plan)).toBe(
      "System recorded ‘Fuel card imported’ for the fuel card Monday deliveries: set the distance km to 12.",
    );
    expect(sentence(event("vehicle_updated", { tyre_pressure: [2.2, 2.4] }), true)).toBe(
      "Dispatcher Anna Virtanen changed the tyre pressure from 2.2 to 2.4.",
    );
  });

  const everyType = Object.keys(SENTENCES) as EventTypeName[];
  const loaded: Record<string, [unknown, unknown]> = {
    group_id: [ids.gone, ids.pasila],
    parent_id: [null, ids.kamppi],
    vehicle_id: [ids.gone, ids.vehicle],
    assigned_vehicle_id: [null, ids.gone],
    driver_id: [ids.driver, ids.gone],
    device_id: [null, ids.gone],
    user_id: [null, ids.anna],
    acknowledged_by: [null, ids.gone],
    status: ["active", "in_maintenance"],
    status_detail: [{}, { shop: "Kamux", id: ids.gone }],
    name: ["Old", "New"],
    message: [null, `Coolant 112 °C near ${ids.gone}`],
    event_types: [["vehicle_created"], ["*"]],
    starts_at: [null, "2031-03-03T08:00:00Z"],
    ends_at: [null, "2031-03-03T12:00:00Z"],
    role: [null, "viewer"],
    command: [null, "getinfo"],
    active: [true, false],
    id: [null, ids.gone],
  };

  it.each(everyType)("%s reads as a sentence with no id in it", (type) => {
    for (const names of [NAMES, {}]) {
      for (const onRecordPage of [false, true]) {
        for (const entity_name of ["ABC-123", null]) {
          const text = sentence(event(type, loaded, { names, entity_name }), onRecordPage);
          expect(text).not.toMatch(UUID);
          expect(text).toMatch(/^[A-Z‘].+\.$/);
          expect(text).not.toMatch(/undefined|null|\[object/);
        }
      }
    }
    expect(sentence(event(type, {}))).not.toMatch(UUID);
  });

  it("covers every event type the API lists", () => {
    const listed = openapi.components.schemas.EventType.properties.type.enum;
    expect([...everyType].sort()).toEqual([...listed].sort());
  });
});
