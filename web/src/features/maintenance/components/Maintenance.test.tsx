import "fake-indexeddb/auto";

import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";

import { isoDate } from "@/lib/dates";
import { OfflineProvider } from "@/lib/offline";
import { createQueryClient } from "@/lib/query";
import { asRole } from "@/test/access";
import { json, renderAt, stubFetch } from "@/test/render";

import type { ScheduleDue, ServiceSchedule } from "../api";
import { MaintenancePage } from "./MaintenancePage";
import { VehicleMaintenanceSections } from "./VehicleMaintenanceSections";

afterEach(() => vi.unstubAllGlobals());

const V1 = "00000000-0000-7000-8000-0000000000a1";
const V2 = "00000000-0000-7000-8000-0000000000a2";
const S1 = "00000000-0000-7000-8000-0000000000b1";

const schedule = {
  id: S1,
  version: 1,
  name: "Oil change",
  description: "",
  component: "engine",
  vehicle_id: null,
  group_id: "00000000-0000-7000-8000-0000000000c1",
  interval_km: "15000.0",
  interval_hours: null,
  interval_days: null,
  interval_months: 12,
  soon_km: "1000.0",
  soon_hours: "0.0",
  soon_days: 14,
  enabled: true,
  status: "overdue",
  vehicles: { ok: 0, due_soon: 1, due: 0, overdue: 1 },
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
} satisfies ServiceSchedule;

function due(fields: Partial<ScheduleDue>): ScheduleDue {
  return {
    schedule_id: S1,
    schedule_name: "Oil change",
    component: "engine",
    vehicle_id: V1,
    status: "ok",
    due_by: [],
    last_done_km: "0.0",
    last_done_hours: null,
    last_done_on: "2026-01-01",
    next_due_km: "15000.0",
    next_due_hours: null,
    next_due_on: null,
    remaining_km: null,
    remaining_hours: null,
    remaining_days: null,
    last_work_order_id: null,
    ...fields,
  };
}

function routeVehicles(url: URL) {
  const match = /^\/api\/v1\/vehicles\/([^/]+)$/.exec(url.pathname);
  if (match) return json({ id: match[1], plate: match[1] === V1 ? "ABC-123" : "XYZ-789", name: null });
  return undefined;
}

describe("the maintenance overview", () => {
  it("counts overdue, due and due soon from each schedule's vehicles, lists them most urgent first and puts dated ones on the month", async () => {
    const soon = new Date();
    soon.setDate(Math.min(28, soon.getDate() + 1));
    const soonDay = isoDate(soon);
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/service-schedules") return json({ items: [schedule], next_cursor: null });
      if (url.pathname === "/api/v1/predictions")
        return json({
          items: [
            {
              vehicle_id: V1,
              vehicle_label: "ABC-123",
              component: "battery",
              probability_30d: 0.42,
              risk: "high",
              days_to_failure: 21,
              days_to_failure_low: 7,
              days_to_failure_high: 45,
              recommended_action: "Test the battery",
              confidence: 0.8,
              drivers: [],
              source: "tenant",
              model_version: 4,
              computed_at: "2026-12-05T06:00:00Z",
            },
          ],
          next_cursor: null,
        });
      if (url.pathname === `/api/v1/service-schedules/${S1}/vehicles`)
        return json([
          due({ vehicle_id: V2, status: "due_soon", next_due_on: soonDay, remaining_days: 1 }),
          due({ vehicle_id: V1, status: "overdue", remaining_km: "-400.0" }),
        ]);
      return routeVehicles(url);
    });
    renderAt(<MaintenancePage />, "/maintenance");
    expect((await screen.findByTestId("count-overdue")).textContent).toBe("1");
    expect(screen.getByTestId("count-due").textContent).toBe("0");
    expect(screen.getByTestId("count-due-soon").textContent).toBe("1");
    const list = screen.getByRole("region", { name: "Due and overdue services" });
    const rows = within(list).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0]!.textContent)).toEqual(["Overdue", "Due soon"]);
    expect(within(rows[0]!).getByText("400 km over")).toBeTruthy();
    expect(await within(rows[0]!).findByRole("link", { name: "ABC-123" })).toBeTruthy();
    const month = screen.getByRole("table", { name: /^Services due in / });
    const placed = [...month.querySelectorAll("li")];
    expect(placed).toHaveLength(1);
    expect(placed[0]!.textContent).toMatch(/Due soon: .*Oil change/);
    const risk = screen.getByRole("list", { name: "Vehicles by failure risk" });
    expect(risk.textContent).toBe("ABC-123: Battery, 42 % within 30 days · Test the battery");
    expect(new URL(calls.find((c) => new URL(c.url).pathname === "/api/v1/predictions")!.url).searchParams.get("min_probability")).toBe("0.1");
  });
});

describe("opening a work order from a due service", () => {
  it("sends one through the queue for whoever may write maintenance, none offered to a viewer", async () => {
    const posts: unknown[] = [];
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/service-schedules") return json({ items: [schedule], next_cursor: null });
      if (url.pathname === `/api/v1/service-schedules/${S1}/vehicles`)
        return json([due({ vehicle_id: V1, status: "overdue", remaining_km: "-400.0" })]);
      if (url.pathname === "/api/v1/predictions") return json({ items: [], next_cursor: null });
      if (url.pathname === "/api/v1/work-orders" && request.method === "POST") {
        void request.clone().json().then((body) => posts.push(body));
        return json({ id: "w9" }, 201);
      }
      return routeVehicles(url);
    });
    const router = createMemoryRouter([{ path: "*", element: asRole("mechanic", <MaintenancePage />) }], { initialEntries: ["/maintenance"] });
    render(
      <QueryClientProvider client={createQueryClient()}>
        <OfflineProvider scopeOf={() => "u:t"} dbName="maintenance-open-wo">
          <RouterProvider router={router} />
        </OfflineProvider>
      </QueryClientProvider>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Open work order: Oil change" }));
    await waitFor(() => expect(posts).toEqual([{ vehicle_id: V1, source: { kind: "schedule", id: S1 } }]));
    expect(screen.queryByRole("button", { name: "Open work order: Oil change" })).toBeNull();
  });

  it("offers a viewer no button", async () => {
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/service-schedules") return json({ items: [schedule], next_cursor: null });
      if (url.pathname === `/api/v1/service-schedules/${S1}/vehicles`) return json([due({ status: "due" })]);
      if (url.pathname === "/api/v1/predictions") return json({ items: [], next_cursor: null });
      return routeVehicles(url);
    });
    renderAt(asRole("viewer", <MaintenancePage />), "/maintenance");
    expect((await screen.findByTestId("count-due")).textContent).toBe("1");
    expect(screen.queryByRole("button", { name: /Open work order/ })).toBeNull();
  });
});

describe("a vehicle's service and risk", () => {
  it("shows what is due, its work orders, and each prediction explained, most at risk first", async () => {
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/vehicles/${V1}/maintenance`)
        return json({
          vehicle_id: V1,
          status: "due_soon",
          meters: { odometer_km: "14200.0", engine_hours: null, read_at: null, today: "2026-12-05" },
          schedules: [due({ status: "due_soon", remaining_km: "800.0" })],
          open_work_orders: 0,
        });
      if (url.pathname === "/api/v1/work-orders" && url.searchParams.get("vehicle_id") === V1)
        return json({
          items: [
            {
              id: "w1",
              number: 3,
              title: "Battery replaced",
              status: "completed",
              component: "battery",
              total: "210.00",
              currency: "EUR",
              created_at: "2026-10-01T08:00:00Z",
              completed_at: "2026-10-01T12:00:00Z",
            },
          ],
          next_cursor: null,
        });
      if (url.pathname === `/api/v1/vehicles/${V1}/predictions`)
        return json({
          items: [
            {
              vehicle_id: V1,
              component: "engine_cooling",
              probability_30d: 0.04,
              days_to_failure: null,
              days_to_failure_low: 200,
              days_to_failure_high: null,
              risk: "low",
              model_version: null,
              recommended_action: "No action needed",
              confidence: 0.6,
              drivers: [],
              source: "prior",
              computed_at: "2026-12-05T06:00:00Z",
            },
            {
              vehicle_id: V1,
              component: "battery",
              probability_30d: 0.42,
              days_to_failure: 21,
              days_to_failure_low: 7,
              days_to_failure_high: 45,
              risk: "high",
              recommended_action: "Test the battery and replace it if cranking voltage is below 9.6 V",
              confidence: 0.8,
              drivers: [
                { feature: "age_years", label: "age", value: 7, unit: "years", effect: "raises", weight: 0.4 },
                { feature: "crank_v_trend_30d", label: "cranking voltage trend over 30 days", value: -0.03, unit: "V/day", effect: "raises", weight: 1.2 },
              ],
              model_version: 4,
              source: "tenant",
              computed_at: "2026-12-05T06:00:00Z",
            },
          ],
        });
      return undefined;
    });
    renderAt(<VehicleMaintenanceSections vehicleId={V1} />, `/vehicles/${V1}`);
    expect(await screen.findByText("800 km left", { exact: false })).toBeTruthy();
    expect((await screen.findByRole("link", { name: "3. Battery replaced" })).getAttribute("href")).toBe("/work-orders/w1");
    const items = await screen.findAllByRole("heading", { level: 3, name: /chance of failing within 30 days/ });
    expect(items.map((h) => h.textContent)).toEqual([
      "Battery42 % chance of failing within 30 days",
      "Engine cooling4 % chance of failing within 30 days",
    ]);
    expect(screen.getByText("Failure expected in about 21 days (80 % between 7 and 45 days).", { exact: false })).toBeTruthy();
    expect(screen.getByText("Test the battery and replace it if cranking voltage is below 9.6 V")).toBeTruthy();
    // the drivers, the weightiest first
    const drivers = screen.getAllByRole("list").find((l) => l.classList.contains("risk-drivers"))!;
    expect([...drivers.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "Cranking voltage trend over 30 days: -0.03 V/day, raises the risk",
      "Age: 7 years, raises the risk",
    ]);
    expect(screen.getByText(/Confidence 80 %, from this fleet.s own history, model version 4/)).toBeTruthy();
    expect(screen.getByText(/from the population prior/)).toBeTruthy();
  });
});
