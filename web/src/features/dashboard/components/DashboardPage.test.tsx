import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import type { Dashboard, FleetSummary } from "../api";
import { DashboardPage } from "./DashboardPage";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function board(overrides: Partial<Dashboard> = {}): Dashboard {
  return {
    generated_at: "2026-05-04T09:30:00Z",
    timezone: "UTC",
    today_from: "2026-05-04T00:00:00Z",
    vehicles: { total: 12, moving: 4, idle: 2, parked: 3, offline: 1, no_position: 2, in_alert: 2, retired: 1 },
    alerts: { open: 5, unacknowledged: 3, by_severity: { critical: 1, warning: 3, info: 1 } },
    devices: { total: 11, online: 8, offline: 2, never_reported: 1 },
    reservations: {
      next_24h: 1,
      upcoming: [
        {
          id: "00000000-0000-7000-8000-000000000001",
          vehicle_id: "00000000-0000-7000-8000-0000000000a1",
          vehicle_plate: "ABC-123",
          vehicle_name: "Blue van",
          driver_id: "00000000-0000-7000-8000-0000000000d1",
          driver_name: "Anna Virtanen",
          starts_at: "2026-05-04T11:00:00Z",
          ends_at: "2026-05-04T12:00:00Z",
          status: "confirmed",
          purpose: "Airport run",
        },
        {
          id: "00000000-0000-7000-8000-000000000002",
          vehicle_id: "00000000-0000-7000-8000-0000000000a2",
          vehicle_plate: null,
          vehicle_name: "Pool car",
          driver_id: null,
          driver_name: null,
          starts_at: "2026-05-05T15:00:00Z",
          ends_at: "2026-05-05T16:00:00Z",
          status: "requested",
          purpose: "",
        },
      ],
    },
    figures: [
      {
        key: "distance_today",
        label: "Distance driven today",
        value: 412.3,
        unit: "km",
        detail: "9 vehicles since 00:00 UTC",
        href: "/vehicles",
      },
    ],
    ...overrides,
  };
}

const DEPOT = "00000000-0000-7000-8000-0000000000b1";

function summary(overrides: Partial<FleetSummary> = {}): FleetSummary {
  return {
    generated_at: "2026-05-04T09:30:00Z",
    timezone: "UTC",
    today_from: "2026-05-04T00:00:00Z",
    vehicles: {
      total: 13,
      by_status: { active: 10, in_maintenance: 2, retired: 1 },
      by_type: { van: 9, truck: 4 },
      by_depot: [
        { group_id: DEPOT, name: "Helsinki depot", vehicles: 8 },
        { group_id: null, name: null, vehicles: 5 },
      ],
      by_activity: board().vehicles,
    },
    alerts: board().alerts,
    devices: board().devices,
    reservations_today: { total: 3, by_status: { confirmed: 2, requested: 1 } },
    distance_today: { km: 412.3, vehicles: 9 },
    ...overrides,
  };
}

function dashboardApi(answer: () => Dashboard, fleet: () => FleetSummary = () => summary()) {
  return stubFetch((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/v1/dashboard") return json(answer());
    return path === "/api/v1/fleet/summary" ? json(fleet()) : undefined;
  });
}

const figure = (container: HTMLElement, name: string) =>
  container.querySelector(`[data-figure="${name}"]`)?.textContent;

describe("the dashboard", () => {
  it("shows every figure, each linked to the list behind it", async () => {
    const calls = dashboardApi(() => board());
    const { container } = renderAt(<DashboardPage />);

    expect(await screen.findByRole("heading", { level: 1, name: "Fleet overview" })).toBeTruthy();
    await screen.findByRole("heading", { level: 2, name: "Vehicles" });
    const read = new Set(calls.map((call) => new URL(call.url).pathname));
    expect(read).toEqual(new Set(["/api/v1/dashboard", "/api/v1/fleet/summary"]));
    expect(figure(container, "vehicles.total")).toBe("12");
    expect(figure(container, "vehicles.moving")).toBe("4");
    expect(figure(container, "vehicles.no_position")).toBe("2");
    expect(figure(container, "vehicles.in_alert")).toBe("2");
    expect(figure(container, "vehicles.retired")).toBe("1");

    const vehicles = screen.getByRole("region", { name: "Vehicles" });
    const moving = within(vehicles).getByRole("link", { name: /Moving/ });
    expect(moving.getAttribute("href")).toBe("/vehicles?activity=moving");
    expect(within(vehicles).getByRole("link", { name: /No position/ }).getAttribute("href")).toBe(
      "/vehicles?activity=no_position",
    );
    // the map's colours
    expect((moving.querySelector(".dashboard-swatch") as HTMLElement).style.background).toBe("rgb(21, 128, 61)");

    const alerts = screen.getByRole("region", { name: "Open alerts" });
    expect(figure(alerts, "alerts.open")).toBe("5");
    expect(within(alerts).getByRole("link", { name: /Critical/ }).getAttribute("href")).toBe("/alerts?severity=critical");
    expect(within(alerts).getByRole("link", { name: /Not acknowledged/ }).getAttribute("href")).toBe(
      "/alerts?acknowledged=no",
    );
    expect(alerts.className).toContain("dashboard-card-critical"); // an open critical alert looks critical

    const distance = screen.getByRole("region", { name: "Distance driven today" });
    expect(figure(distance, "distance_today")).toBe("412.3");
    expect(within(distance).getByText("9 vehicles since 00:00 UTC")).toBeTruthy();

    const devices = screen.getByRole("region", { name: "Devices" });
    expect(figure(devices, "devices.not_reporting")).toBe("3");
    expect(figure(devices, "devices.total")).toBe("11");
    expect(within(devices).getByText("Offline (silent for 10 min)")).toBeTruthy();
    expect(within(devices).getByRole("link", { name: "All devices" }).getAttribute("href")).toBe("/devices");

    const reservations = screen.getByRole("region", { name: "Upcoming reservations" });
    expect(figure(reservations, "reservations.next_24h")).toBe("1");
    const items = within(within(reservations).getByRole("list")).getAllByRole("listitem");
    expect(items.map((item) => within(item).getByRole("link").textContent)).toEqual(["ABC-123", "Pool car"]);
    expect(within(items[0]!).getByText("Anna Virtanen")).toBeTruthy();
    expect(within(items[1]!).getByText("No driver")).toBeTruthy();
    expect(within(items[1]!).getByText("Requested")).toBeTruthy();

    expect(screen.getByRole("link", { name: "Open the live map" }).getAttribute("href")).toBe("/map");

    // every number of the answer is on the page, marked with its path in the answer
    const numbers: [string, number][] = [];
    const walk = (value: unknown, path: string) => {
      if (typeof value === "number") numbers.push([path, value]);
      else if (value && typeof value === "object" && !Array.isArray(value))
        for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
    };
    walk(board(), "");
    for (const item of board().figures) numbers.push([item.key, item.value]);
    for (const [path, value] of numbers) expect([path, figure(container, path)]).toEqual([path, String(value)]);
  });

  it("adds the summary's breakdowns, each figure from one source, each row a link to its list", async () => {
    dashboardApi(() => board());
    const { container } = renderAt(<DashboardPage />);

    const status = await screen.findByRole("region", { name: "Vehicles by status" });
    expect(figure(status, "summary.vehicles.by_status.in_maintenance")).toBe("2");
    expect(within(status).getByRole("link", { name: /In maintenance/ }).getAttribute("href")).toBe(
      "/vehicles?status=in_maintenance",
    );
    const types = screen.getByRole("region", { name: "Vehicles by type" });
    expect(within(types).getAllByRole("link").map((a) => a.textContent)).toEqual(["Van9", "Truck4"]);
    const depots = screen.getByRole("region", { name: "Vehicles by depot" });
    expect(within(depots).getByRole("link", { name: /Helsinki depot/ }).getAttribute("href")).toBe(
      `/vehicles?group=${DEPOT}`,
    );
    expect(figure(depots, "summary.vehicles.by_depot.none")).toBe("5"); // "No depot": no list to link
    const today = screen.getByRole("region", { name: "Reservations today" });
    expect(figure(today, "summary.reservations_today.total")).toBe("3");
    expect(figure(today, "summary.reservations_today.by_status.requested")).toBe("1");

    // What /dashboard already answers (activity, alerts, devices, distance) shows once, from it.
    for (const path of ["vehicles.total", "vehicles.moving", "alerts.open", "devices.total", "distance_today"]) {
      expect(container.querySelectorAll(`[data-figure="${path}"]`)).toHaveLength(1);
    }
    expect(container.querySelector('[data-figure^="summary.vehicles.by_activity"]')).toBeNull();
    expect(container.querySelector('[data-figure^="summary.alerts"]')).toBeNull();
  });

  it("renders a figure it has never heard of, and leaves out sections the role can't read", async () => {
    dashboardApi(() =>
      board({
        devices: null,
        reservations: null,
        alerts: { open: 0, unacknowledged: 0, by_severity: { critical: 0, warning: 0, info: 0 } },
        figures: [
          ...board().figures,
          { key: "plans_in_progress", label: "Plans in progress", value: 3, unit: null, detail: null, href: "/plans" },
        ],
      }),
      () => summary({ devices: null, reservations_today: null }),
    );
    const { container } = renderAt(<DashboardPage />);

    const plans = await screen.findByRole("region", { name: "Plans in progress" });
    expect(figure(container, "plans_in_progress")).toBe("3");
    expect(within(plans).getByRole("link", { name: "Details: Plans in progress" }).getAttribute("href")).toBe("/plans");
    expect(screen.queryByRole("region", { name: "Maintenance" })).toBeNull();
    expect(screen.queryByRole("region", { name: "Devices" })).toBeNull();
    expect(screen.getByRole("region", { name: "Open alerts" }).className).not.toContain("critical");
    expect(screen.queryByRole("region", { name: "Reservations today" })).toBeNull();
  });

  it("shows vehicles due for service, open work orders and parts to reorder, each linking to its list", async () => {
    dashboardApi(() =>
      board({ maintenance: { due_soon: 4, due: 2, overdue: 1, open_work_orders: 5, low_stock_parts: 2 } }),
    );
    const { container } = renderAt(<DashboardPage />);

    const card = await screen.findByRole("region", { name: "Maintenance" });
    expect(card.className).toContain("critical");
    expect(card.textContent).toContain("3 vehicles due for service");
    expect(figure(container, "maintenance.overdue")).toBe("1");
    expect(figure(container, "maintenance.due_soon")).toBe("4");
    expect(within(card).getByRole("link", { name: /Open work orders/ }).getAttribute("href")).toBe(
      "/work-orders?status=open",
    );
    expect(within(card).getByRole("link", { name: /Parts to reorder/ }).getAttribute("href")).toBe("/maintenance/parts");
  });

  it("says when the figures can't be loaded", async () => {
    stubFetch(() =>
      json({ error: { code: "permission_denied", message: "Your role may not do that.", details: {} } }, 403),
    );
    renderAt(<DashboardPage />);
    expect((await screen.findByRole("alert")).textContent).toContain("Your role may not do that.");
  });

  it("fetches again soon after the live feed changes alerts", async () => {
    let answered = 0;
    dashboardApi(() => {
      answered += 1;
      return board({ vehicles: { ...board().vehicles, in_alert: answered } });
    });
    const { client, container } = renderAt(<DashboardPage />);
    await waitFor(() => expect(figure(container, "vehicles.in_alert")).toBe("1"));

    // what the live feed does when an alert opens: the alert queries are invalidated
    client.setQueryData(["alerts", "open-unacknowledged-count"], { count: 1, more: false });
    await client.invalidateQueries({ queryKey: ["alerts"] });

    await waitFor(() => expect(figure(container, "vehicles.in_alert")).toBe("2"), { timeout: 3000 });
  });
});
