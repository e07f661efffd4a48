import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { createQueryClient } from "@/lib/query";
import { json, stubFetch } from "@/test/render";

import { VehicleAudit } from "./VehicleAudit";

afterEach(() => vi.unstubAllGlobals());

const PASILA = "01900000-0000-7000-8000-000000000002";

describe("a vehicle's audit trail", () => {
  it("reads as sentences with names, never ids", async () => {
    stubFetch((request) => {
      if (new URL(request.url).pathname !== "/api/v1/events") return undefined;
      return json({
        items: [
          {
            id: 2,
            type: "vehicle_updated",
            entity_type: "vehicle",
            entity_id: "v1",
            entity_name: "ABC-123",
            occurred_at: "2031-03-03T09:00:00Z",
            actor_type: "user",
            actor_id: "u1",
            actor: { type: "user", id: "u1", name: "Anna", role: "dispatcher" },
            changes: { group_id: { before: null, after: PASILA } },
            names: { [PASILA]: "Pasila depot" },
            request_id: null,
          },
        ],
        next_cursor: null,
      });
    });
    render(
      <QueryClientProvider client={createQueryClient()}>
        <VehicleAudit vehicleId="v1" />
      </QueryClientProvider>,
    );
    const trail = await screen.findByRole("region", { name: "Audit trail" });
    const entry = await within(trail).findByText(/moved the vehicle to Pasila depot/);
    expect(entry.closest("li")!.textContent).toMatch(/^Dispatcher Anna moved the vehicle to Pasila depot\./);
    expect(trail.textContent).not.toContain(PASILA);
  });
});
