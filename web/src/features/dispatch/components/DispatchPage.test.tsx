import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { renderAt, json, stubFetch } from "@/test/render";

import { LIVE, routeOf, stopOf } from "../testData";
import { DispatchPage } from "./DispatchPage";
import type { RouteMapProps } from "./RouteMapTypes";

afterEach(() => vi.unstubAllGlobals());

const ROUTE = routeOf([
  stopOf(1, { status: "failed", failed_at: "2026-12-05T09:05:00Z", note: "Closed", late_minutes: null }),
  stopOf(4, { seq: 2, eta_at: "2026-12-05T10:40:00Z", late_minutes: 10 }),
]);

const ALERTS = {
  stop_late: [
    {
      id: "a1",
      vehicle_id: "v1",
      kind: "stop_late",
      message: "Bakery 4 will be about 10 min late for its window.",
      opened_at: "2026-12-05T10:01:00Z",
      details: { route_id: "r1", stop_id: "s4" },
    },
  ],
  route_deviation: [],
};

function serve() {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/dispatch/live") return json(LIVE);
    if (url.pathname === "/api/v1/alerts") {
      return json({ items: ALERTS[url.searchParams.get("kind") as keyof typeof ALERTS], next_cursor: null });
    }
    if (url.pathname === "/api/v1/dispatch/routes/r1") return json(ROUTE);
    return undefined;
  });
}

function FakeMap({ stops, geometry }: RouteMapProps) {
  return (
    <p data-testid="map">
      {stops.length} stops, next {stops.find((s) => s.next)?.id}, {geometry.length} points
    </p>
  );
}

describe("the dispatcher's live view", () => {
  it("shows each route's vehicle, driver, progress, next stop, lateness in words and its alerts", async () => {
    serve();
    renderAt(asRole("dispatcher", <DispatchPage />), "/dispatch");
    const table = await screen.findByRole("table");
    expect(screen.getByRole("heading", { name: /Morning bread · started .* · 8 of 13 stops done/ })).toBeTruthy();
    const late = within(table).getByRole("row", { name: /VAN-42/ });
    expect(within(late).getByText("Ada")).toBeTruthy();
    expect(within(late).getByText("3/8")).toBeTruthy();
    expect(within(late).getByText("Bakery 4")).toBeTruthy();
    expect(within(late).getByText("Late by 10 min").className).toContain("lateness-late");
    expect(await within(late).findByText("Late stop: Bakery 4 will be about 10 min late for its window.")).toBeTruthy();
    const done = within(table).getByRole("row", { name: /van#2/ });
    expect(within(done).getByText("Done")).toBeTruthy();
    expect(within(done).getByText("None")).toBeTruthy();
  });

  it("opens a route's stops with its map", async () => {
    serve();
    renderAt(asRole("dispatcher", <DispatchPage RouteMap={FakeMap} />), "/dispatch");
    await userEvent.click(await screen.findByRole("link", { name: "VAN-42" }));
    expect(await screen.findByRole("heading", { name: /VAN-42 · Ada/ })).toBeTruthy();
    expect(screen.getByTestId("map").textContent).toBe("2 stops, next s4, 2 points");
    expect(screen.getByText("Note: Closed")).toBeTruthy();
    const detail = screen.getAllByRole("table")[1]!;
    expect(within(detail).getByText("Late by 10 min")).toBeTruthy();
  });

  it("says when no plan is in progress", async () => {
    stubFetch((request) => json(new URL(request.url).pathname === "/api/v1/alerts" ? { items: [] } : []));
    renderAt(asRole("dispatcher", <DispatchPage />), "/dispatch");
    expect(await screen.findByText(/No plan is in progress/)).toBeTruthy();
  });
});
