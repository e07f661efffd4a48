import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { sizeScrollers } from "@/test/layout";
import { renderWithQueueAt as renderAt } from "@/test/queue";
import { json, stubFetch } from "@/test/render";

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
    acknowledged_by_name: null,
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
    expect(await screen.findByText(/^Acknowledged 2 alerts\./)).toBeTruthy();
    // through the offline queue: each with its own Idempotency-Key, sent once
    await vi.waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(2));
    const posts = calls.filter((c) => c.method === "POST");
    expect(new Set(posts.map((c) => c.headers.get("Idempotency-Key"))).size).toBe(2);
    const acks = posts.map((c) => new URL(c.url).pathname);
    expect(acks.sort()).toEqual([
      "/api/v1/alerts/00000000-0000-7000-8000-000000000001/acknowledge",
      "/api/v1/alerts/00000000-0000-7000-8000-000000000002/acknowledge",
    ]);
    // The third is still there to acknowledge, alone; the badge counts it.
    const table = screen.getByRole("table");
    expect(within(table).getAllByRole("button", { name: /^Acknowledge alert/ })).toHaveLength(1);
    await vi.waitFor(() => expect(document.querySelector(".nav-badge")?.textContent).toMatch(/^1,/));
  });

  it("acknowledges offline: shown at once, waiting on the device, sent once when the network returns", async () => {
    const calls = alertsApi();
    const online = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    renderAt(asRole("dispatcher", <AlertsPage />), "/alerts");
    await userEvent.click(await screen.findByRole("button", { name: "Acknowledge alert: Coolant 113 °C" }));
    expect(await screen.findByText(/Saved on this device/)).toBeTruthy();
    const row = screen.getByText("Coolant 113 °C").closest("tr") as HTMLElement;
    expect(within(row).getByText("Will be sent when the network allows")).toBeTruthy();
    expect(within(row).queryByRole("button", { name: /Acknowledge/ })).toBeNull();
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    online.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(1));
    await vi.waitFor(() => expect(within(row).queryByText("Will be sent when the network allows")).toBeNull());
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(1);
  });

  it("lists an acknowledgement the server refused, to resolve", async () => {
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname.endsWith("/acknowledge")) {
        return json({ error: { code: "not_found", message: "No such alert.", details: {} } }, 404);
      }
      if (url.pathname === "/api/v1/alerts") return json({ items: [alert(1)], next_cursor: null });
      if (url.pathname.startsWith("/api/v1/vehicles")) return json({ items: [], next_cursor: null });
      return undefined;
    });
    renderAt(asRole("dispatcher", <AlertsPage />), "/alerts");
    await userEvent.click(await screen.findByRole("button", { name: "Acknowledge alert: Coolant 111 °C" }));
    const problems = await screen.findByRole("region", { name: "Acknowledgements to resolve" });
    expect(within(problems).getByText("Acknowledge alert: Coolant 111 °C")).toBeTruthy();
    expect(await within(problems).findByText(/No such alert/)).toBeTruthy();
  });

  it("shows a viewer the alerts without a way to acknowledge them", async () => {
    alertsApi();
    renderAt(asRole("viewer", <AlertsPage />), "/alerts");
    expect(await screen.findByText("Coolant 111 °C")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Acknowledge/ })).toBeNull();
    expect(screen.queryByRole("checkbox")).toBeNull();
  });

  it("asks for critical first, keeps the server's order and makes an open critical alert look critical", async () => {
    const items = [
      alert(1, { message: "Engine overheating" }),
      alert(2, { message: "Old overheating", state: "cleared", cleared_at: "2026-01-01T01:00:00Z" }),
      alert(3, {
        message: "Fuel low",
        severity: "warning",
        acknowledged_at: "2026-03-12T14:05:00Z",
        acknowledged_by: "00000000-0000-7000-8000-0000000000aa",
        acknowledged_by_name: "Anna Virtanen",
      }),
      alert(4, { message: "Tyre check", severity: "info", acknowledged_at: "2026-03-12T15:00:00Z" }),
    ];
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/alerts") return json({ items, next_cursor: null });
      if (url.pathname.startsWith("/api/v1/vehicles")) return json({ items: [], next_cursor: null });
      return undefined;
    });
    renderAt(asRole("viewer", <AlertsPage />), "/alerts?state=all");
    const region = await screen.findByRole("region", { name: /critical first, then newest first/ });
    await within(region).findByText("Engine overheating");
    const table = within(region).getByRole("table");
    const list = new URL(calls.find((c) => new URL(c.url).pathname === "/api/v1/alerts")!.url);
    expect(list.searchParams.get("sort")).toBe("severity");
    expect(list.searchParams.get("state")).toBe("all");

    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.querySelector(".alert-message")?.textContent)).toEqual([
      "Engine overheating",
      "Old overheating",
      "Fuel low",
      "Tyre check",
    ]);
    // open and critical: the red row, a solid badge with an icon and the word
    expect(rows[0]!.className).toContain("row-critical");
    const urgent = within(rows[0]!).getByText("Critical");
    expect(urgent.className).toContain("severity-urgent");
    expect(urgent.querySelector("svg[aria-hidden='true']")).toBeTruthy();
    // cleared: history, not an emergency
    expect(rows[1]!.className).not.toContain("row-critical");
    expect(within(rows[1]!).getByText("Critical").className).not.toContain("severity-urgent");
    expect(within(rows[2]!).getByText("Warning").querySelector("svg")).toBeTruthy();

    expect(within(rows[2]!).getByText(/^Acknowledged by Anna Virtanen, /)).toBeTruthy();
    expect(within(rows[2]!).getByText(/^Acknowledged by Anna Virtanen, /).textContent).toContain("Mar");
    // no name known: the time alone
    expect(within(rows[3]!).getByText(/^Acknowledged (?!by)/)).toBeTruthy();
    expect(within(rows[0]!).getByText("Not yet")).toBeTruthy();
  });

  it("reads its filters from the address, as the dashboard links to it", async () => {
    const calls = alertsApi();
    renderAt(asRole("viewer", <AlertsPage />), "/alerts?severity=critical&acknowledged=no");
    expect(await screen.findByText("Coolant 111 °C")).toBeTruthy();
    const list = new URL(calls.find((c) => new URL(c.url).searchParams.get("limit") === "100")!.url);
    expect(list.searchParams.get("severity")).toBe("critical");
    expect(list.searchParams.get("acknowledged")).toBe("false");
    expect(list.searchParams.get("state")).toBe("open");
    expect((screen.getByLabelText("Severity") as HTMLSelectElement).value).toBe("critical");
    expect((screen.getByLabelText("Acknowledged") as HTMLSelectElement).value).toBe("no");
    expect((screen.getByRole("radio", { name: "Open" }) as HTMLInputElement).checked).toBe(true);
  });
});

describe("when an alert was acknowledged", () => {
  it("is said briefly this year and with the year before", async () => {
    const { acknowledgedText } = await import("../api");
    const now = new Date("2026-06-01T12:00:00Z");
    const named = acknowledgedText(
      { acknowledged_at: "2026-03-12T14:05:00Z", acknowledged_by_name: "Anna Virtanen" },
      now,
    );
    expect(named).toMatch(/^Acknowledged by Anna Virtanen, /);
    expect(named).not.toContain("2026");
    expect(acknowledgedText({ acknowledged_at: "2025-03-12T14:05:00Z", acknowledged_by_name: null }, now)).toMatch(
      /^Acknowledged .*2025/,
    );
  });
});
