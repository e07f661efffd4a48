import "fake-indexeddb/auto";

import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { OfflineProvider } from "@/lib/offline";
import { createQueryClient } from "@/lib/query";
import { json, stubFetch } from "@/test/render";

import { VehicleAlerts } from "./VehicleAlerts";

afterEach(() => vi.unstubAllGlobals());

const alert = {
  id: "a1",
  vehicle_id: "v1",
  device_id: null,
  kind: "speeding",
  code: "speeding",
  severity: "warning",
  state: "open",
  message: "Over 120 km/h",
  details: {},
  opened_at: "2030-01-01T10:00:00Z",
  last_seen_at: "2030-01-01T10:00:00Z",
  cleared_at: null,
  acknowledged_at: null,
  acknowledged_by: null,
};

describe("a vehicle's alerts", () => {
  it("acknowledges through the queue: at once on screen, once on the server", async () => {
    let acknowledged = false;
    const calls = stubFetch((request) => {
      const { pathname } = new URL(request.url);
      if (pathname === "/api/v1/alerts/a1/acknowledge") {
        acknowledged = true;
        return json({ ...alert, acknowledged_at: "2030-01-01T10:05:00Z" });
      }
      if (pathname === "/api/v1/alerts") {
        const ack = acknowledged ? { acknowledged_at: "2030-01-01T10:05:00Z", acknowledged_by_name: "Anna Virtanen" } : {};
        return json({ items: [{ ...alert, ...ack }], next_cursor: null });
      }
      return undefined;
    });
    render(
      <QueryClientProvider client={createQueryClient()}>
        <OfflineProvider scopeOf={() => "u:t"} dbName="alerts-test">
          <VehicleAlerts vehicleId="v1" />
        </OfflineProvider>
      </QueryClientProvider>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Acknowledge: Over 120 km/h" }));
    await screen.findByText(/acknowledged/);
    await waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(1));
    expect(calls.find((c) => c.method === "POST")!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Acknowledge/ })).toBeNull();
    expect(await screen.findByText(/acknowledged by Anna Virtanen, /)).toBeTruthy();
  });
});
