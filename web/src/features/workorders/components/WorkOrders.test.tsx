import "fake-indexeddb/auto";

import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";

import { OfflineProvider } from "@/lib/offline";
import { createQueryClient } from "@/lib/query";
import { asRole } from "@/test/access";
import { json, stubFetch } from "@/test/render";

import type { WorkOrder } from "../api";
import { WorkOrderDetailPage } from "./WorkOrderDetailPage";
import { WorkOrdersPage } from "./WorkOrdersPage";

afterEach(() => vi.unstubAllGlobals());

const ID = "00000000-0000-7000-8000-0000000000f1";
const VEHICLE = "00000000-0000-7000-8000-0000000000a1";

function order(fields: Partial<WorkOrder> = {}): WorkOrder {
  return {
    id: ID,
    version: 2,
    number: 7,
    vehicle_id: VEHICLE,
    title: "Replace brake pads",
    description: "Front axle",
    component: "brakes",
    kind: "corrective",
    priority: "high",
    status: "open",
    vendor: "Harbour Garage",
    assigned_to: null,
    source: { kind: "manual", id: null },
    out_of_service_from: null,
    out_of_service_until: null,
    currency: "EUR",
    labour_total: "120.00",
    parts_total: "59.97",
    total: "179.97",
    lines: [
      { id: "l1", position: 1, kind: "labour", description: "Fit pads", hours: "1.50", rate: "80.00", part_id: null, quantity: null, unit_cost: null, amount: "120.00" },
      { id: "l2", position: 2, kind: "part", description: "Pad set", hours: null, rate: null, part_id: null, quantity: "3.000", unit_cost: "19.99", amount: "59.97" },
    ],
    started_at: null,
    completed_at: null,
    cancelled_at: null,
    completion_odometer_km: null,
    completion_engine_hours: null,
    created_at: "2026-12-01T08:00:00Z",
    updated_at: "2026-12-01T08:00:00Z",
    ...fields,
  } as WorkOrder;
}

function renderWithQueue(element: ReactElement, path: string, pattern: string, dbName: string, role = "mechanic") {
  const router = createMemoryRouter([{ path: pattern, element: asRole(role, element) }], { initialEntries: [path] });
  render(
    <QueryClientProvider client={createQueryClient()}>
      <OfflineProvider scopeOf={() => "u:t"} dbName={dbName}>
        <RouterProvider router={router} />
      </OfflineProvider>
    </QueryClientProvider>,
  );
  return router;
}

const vehicleRef = (url: URL) =>
  url.pathname === "/api/v1/vehicles" ? json({ items: [{ id: VEHICLE, plate: "ABC-123", name: null }], next_cursor: null }) : undefined;

describe("work orders", () => {
  it("lists work orders with their totals and filters them through the address", async () => {
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/work-orders") return json({ items: [order()], next_cursor: null });
      return vehicleRef(url) ?? (url.pathname.startsWith("/api/v1/vehicles/") ? json({ id: VEHICLE, plate: "ABC-123" }) : undefined);
    });
    const router = renderWithQueue(<WorkOrdersPage />, "/work-orders", "/work-orders", "wo-list");
    const link = await screen.findByRole("link", { name: "Replace brake pads" });
    expect(link.getAttribute("href")).toBe(`/work-orders/${ID}`);
    const row = link.closest("tr")!;
    expect(within(row).getByText("Open")).toBeTruthy();
    expect(within(row).getByText(/179\.97/)).toBeTruthy();
    await userEvent.selectOptions(screen.getByLabelText("Status"), "in_progress");
    expect(router.state.location.search).toBe("?status=in_progress");
    await waitFor(() =>
      expect(calls.map((c) => new URL(c.url)).some((u) => u.pathname === "/api/v1/work-orders" && u.searchParams.get("status") === "in_progress")).toBe(true),
    );
  });

  it("shows lines and totals, and moves the status along the workflow through the offline queue", async () => {
    let current = order();
    const patches: { body: Record<string, unknown>; key: string | null }[] = [];
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/work-orders/${ID}` && request.method === "PATCH") {
        void request
          .clone()
          .json()
          .then((body: Record<string, unknown>) => patches.push({ body, key: request.headers.get("Idempotency-Key") }));
        current = order({ status: "in_progress", version: 3, started_at: "2026-12-01T09:00:00Z" });
        return json(current);
      }
      if (url.pathname === `/api/v1/work-orders/${ID}`) return json(current);
      if (url.pathname === "/api/v1/parts") return json({ items: [], next_cursor: null });
      return vehicleRef(url) ?? (url.pathname.startsWith("/api/v1/vehicles/") ? json({ id: VEHICLE, plate: "ABC-123" }) : undefined);
    });
    renderWithQueue(<WorkOrderDetailPage />, `/work-orders/${ID}`, "/work-orders/:workOrderId", "wo-status");
    expect(await screen.findByRole("heading", { name: "Work order 7: Replace brake pads" })).toBeTruthy();
    expect(screen.getByTestId("wo-total").textContent).toMatch(/179\.97/);
    expect(screen.getByRole("cell", { name: /120\.00/ })).toBeTruthy();
    // open: start or cancel, nothing else
    const moves = screen.getByRole("group", { name: "Change status" });
    expect(within(moves).getAllByRole("button").map((b) => b.textContent)).toEqual(["Start work", "Cancel work order"]);
    await userEvent.click(within(moves).getByRole("button", { name: "Start work" }));
    await waitFor(() => expect(patches).toHaveLength(1));
    expect(patches[0]!.body).toEqual({ status: "in_progress" });
    expect(patches[0]!.key).toBeTruthy();
    await waitFor(() =>
      expect(within(screen.getByRole("group", { name: "Change status" })).getAllByRole("button").map((b) => b.textContent)).toEqual([
        "Complete",
        "Cancel work order",
      ]),
    );
  });

  it("adds a labour line: every line is sent with the version, and bad input is refused here", async () => {
    const patches: Record<string, unknown>[] = [];
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/work-orders/${ID}` && request.method === "PATCH") {
        void request.clone().json().then((body: Record<string, unknown>) => patches.push(body));
        return json(order({ version: 3 }));
      }
      if (url.pathname === `/api/v1/work-orders/${ID}`) return json(order());
      if (url.pathname === "/api/v1/parts") return json({ items: [], next_cursor: null });
      return vehicleRef(url) ?? (url.pathname.startsWith("/api/v1/vehicles/") ? json({ id: VEHICLE, plate: "ABC-123" }) : undefined);
    });
    renderWithQueue(<WorkOrderDetailPage />, `/work-orders/${ID}`, "/work-orders/:workOrderId", "wo-lines");
    const form = await screen.findByRole("form", { name: "Add a line" });
    await userEvent.type(within(form).getByLabelText("Hours"), "-2");
    await userEvent.click(within(form).getByRole("button", { name: "Add line" }));
    expect(within(form).getByRole("alert").textContent).toBe("Hours must be a number above 0.");
    await userEvent.clear(within(form).getByLabelText("Hours"));
    await userEvent.type(within(form).getByLabelText("Hours"), "0.5");
    await userEvent.type(within(form).getByLabelText("Description"), "Bleed brakes");
    await userEvent.type(within(form).getByLabelText(/Rate/), "80");
    await userEvent.click(within(form).getByRole("button", { name: "Add line" }));
    await waitFor(() => expect(patches).toHaveLength(1));
    expect(patches[0]).toEqual({
      version: 2,
      lines: [
        { kind: "labour", description: "Fit pads", hours: "1.50", rate: "80.00" },
        { kind: "part", description: "Pad set", part_id: null, quantity: "3.000", unit_cost: "19.99" },
        { kind: "labour", description: "Bleed brakes", hours: "0.5", rate: "80" },
      ],
    });
  });

  it("offers a viewer no moves nor edits", async () => {
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/work-orders/${ID}`) return json(order());
      return vehicleRef(url) ?? (url.pathname.startsWith("/api/v1/vehicles/") ? json({ id: VEHICLE, plate: "ABC-123" }) : undefined);
    });
    renderWithQueue(<WorkOrderDetailPage />, `/work-orders/${ID}`, "/work-orders/:workOrderId", "wo-viewer", "viewer");
    expect(await screen.findByRole("heading", { name: "Work order 7: Replace brake pads" })).toBeTruthy();
    expect(screen.getByTestId("wo-total").textContent).toMatch(/179\.97/);
    expect(screen.queryByRole("group", { name: "Change status" })).toBeNull();
    expect(screen.queryByRole("form", { name: "Add a line" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Remove/ })).toBeNull();
  });

  it("offers no moves nor edits on a completed work order, and shows its downtime", async () => {
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/work-orders/${ID}`)
        return json(
          order({
            status: "completed",
            completed_at: "2026-12-02T08:00:00Z",
            completion_odometer_km: "120500.0",
            out_of_service_from: "2026-12-01T08:00:00Z",
            out_of_service_until: "2026-12-01T14:00:00Z",
          }),
        );
      return vehicleRef(url) ?? (url.pathname.startsWith("/api/v1/vehicles/") ? json({ id: VEHICLE, plate: "ABC-123" }) : undefined);
    });
    renderWithQueue(<WorkOrderDetailPage />, `/work-orders/${ID}`, "/work-orders/:workOrderId", "wo-done");
    expect(await screen.findByText("Completed: no further changes.")).toBeTruthy();
    expect(screen.queryByRole("group", { name: "Change status" })).toBeNull();
    expect(screen.queryByRole("form", { name: "Add a line" })).toBeNull();
    expect(screen.getByTestId("wo-downtime").textContent).toBe("Out of service 6 h.");
    expect(screen.getByText("Odometer at completion")).toBeTruthy();
  });
});
