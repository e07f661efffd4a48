import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { sizeScrollers } from "@/test/layout";
import { json, renderAt, stubFetch } from "@/test/render";

import type { Alert } from "../api";
import { AlertsPage } from "./AlertsPage";
import { OpenAlertsBadge } from "./OpenAlertsBadge";

beforeEach(() => sizeScrollers());
afterEach(() => vi.unstubAllGlobals());

function alert(i: number, overrides: Partial<Alert> = {}): Alert {
  return {
    id: `00000000-0000-7000-8000-00000000000${i}`,
    vehicle_id: "00000000-0000-7000-8000-0000000000ff",
    device_id: null,
    kind: "coolant_high",
    code: "",
    severity: "critical",
    state: "open",
    message: `Coolant ${110 + i} °C`,
    details: {},
    opened_at: "2026-01-01T00:00:00Z",
    last_seen_at: "2026-01-01T00:00:00Z",
    cleared_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
    ...overrides,
  };
}

function alertsApi() {
  const acknowledged = new Set<string>();
  const calls = stubFetch((request) => {
    const url = new URL(request.url);
    const ack = /^\/api\/v1\/alerts\/([^/]+)\/acknowledge$/.exec(url.pathname);
    if (ack?.[1]) {
      acknowledged.add(ack[1]);
      const found = [1, 2, 3].map((i) => alert(i)).find((a) => a.id === ack[1]);
      return json({ ...found, acknowledged_at: "2026-01-02T00:00:00Z" });
    }
    if (url.pathname === "/api/v1/alerts") {
      const items = [1, 2, 3]
        .map((i) => alert(i))
        .map((a) => (acknowledged.has(a.id) ? { ...a, acknowledged_at: "2026-01-02T00:00:00Z" } : a));
      const unacked = url.searchParams.get("acknowledged") === "false";
      return json({ items: unacked ? items.filter((a) => !a.acknowledged_at) : items, next_cursor: null });
    }
    if (url.pathname.startsWith("/api/v1/vehicles")) return json({ items: [], next_cursor: null });
    return undefined;
  });
  return calls;
}

describe("the alerts inbox", () => {
  it("opens on open alerts and acknowledges several, one request each", async () => {
    const calls = alertsApi();
    renderAt(
      asRole(
        "dispatcher",
        <>
          <OpenAlertsBadge />
          <AlertsPage />
        </>,
      ),
      "/alerts",
    );
    expect(await screen.findByText("Coolant 111 °C")).toBeTruthy();
    const list = calls.find((c) => new URL(c.url).searchParams.get("limit") === "100");
    expect(new URL(list!.url).searchParams.get("state")).toBe("open");
    expect((await screen.findByText("3")).closest(".nav-badge")).toBeTruthy();

    await userEvent.click(screen.getByRole("checkbox", { name: "Select alert: Coolant 111 °C" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select alert: Coolant 112 °C" }));
    await userEvent.click(screen.getByRole("button", { name: "Acknowledge selected (2)" }));
    expect(await screen.findByText("Acknowledged 2 alerts.")).toBeTruthy();
    const acks = calls.filter((c) => c.method === "POST").map((c) => new URL(c.url).pathname);
    expect(acks.sort()).toEqual([
      "/api/v1/alerts/00000000-0000-7000-8000-000000000001/acknowledge",
      "/api/v1/alerts/00000000-0000-7000-8000-000000000002/acknowledge",
    ]);
    // The third is still there to acknowledge, alone; the badge counts it.
    const table = screen.getByRole("table");
    expect(within(table).getAllByRole("button", { name: /^Acknowledge alert/ })).toHaveLength(1);
    await vi.waitFor(() => expect(document.querySelector(".nav-badge")?.textContent).toMatch(/^1,/));
  });

  it("shows a viewer the alerts without a way to acknowledge them", async () => {
    alertsApi();
    renderAt(asRole("viewer", <AlertsPage />), "/alerts");
    expect(await screen.findByText("Coolant 111 °C")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Acknowledge/ })).toBeNull();
    expect(screen.queryByRole("checkbox")).toBeNull();
  });
});
