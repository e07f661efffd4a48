// The audit trail reads inspection and defect events as sentences (the builders live in
// lib/audit with every other event type's).
import { describe, expect, it } from "vitest";

import { describeEvent, type AuditEvent } from "@/lib/audit/describe";

const VEHICLE = "01900000-0000-7000-8000-000000000001";
const DEFECT = "01900000-0000-7000-8000-0000000000d1";
const mechanic: AuditEvent["actor"] = { type: "user", id: "01900000-0000-7000-8000-00000000000m", name: "Mia Mechanic", role: "mechanic" };

function event(type: string, entityType: string, changes: Record<string, [unknown, unknown]>): AuditEvent {
  return {
    id: 1,
    type,
    entity_type: entityType,
    entity_id: entityType === "defect" ? DEFECT : VEHICLE,
    entity_name: null,
    occurred_at: "2031-03-03T08:00:00Z",
    actor_type: "user",
    actor_id: mechanic.id,
    actor: mechanic,
    changes: Object.fromEntries(Object.entries(changes).map(([f, [before, after]]) => [f, { before, after }])),
    names: { [VEHICLE]: "VAN-42" },
    request_id: null,
  };
}

describe("inspection events in words", () => {
  it("says what an inspection found", () => {
    const submitted = event("inspection_submitted", "inspection", {
      vehicle_id: [null, VEHICLE],
      kind: [null, "pre_trip"],
      failed_count: [null, 2],
    });
    expect(describeEvent(submitted).action).toBe("inspected VAN-42 before a trip: 2 defects");
    const clean = event("inspection_submitted", "inspection", {
      vehicle_id: [null, VEHICLE],
      kind: [null, "post_trip"],
      failed_count: [null, 0],
    });
    expect(describeEvent(clean).action).toBe("inspected VAN-42 after a trip: all passed");
  });

  it("follows a defect from report to sign-off", () => {
    const reported = event("defect_reported", "defect", {
      vehicle_id: [null, VEHICLE],
      label: [null, "Brakes pull"],
      critical: [null, true],
    });
    expect(describeEvent(reported).action).toBe("reported a critical defect “Brakes pull” on VAN-42");
    const signed = event("defect_signed_off", "defect", {
      status: ["acknowledged", "no_repair_needed"],
      sign_off_note: ["", "Only dirty"],
    });
    expect(describeEvent(signed).sentence).toBe("Mia Mechanic signed off the defect: no repair needed (“Only dirty”).");
  });
});
