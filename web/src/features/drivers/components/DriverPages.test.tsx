import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { sizeScrollers } from "@/test/layout";
import { renderWithQueueAt as renderAt } from "@/test/queue";
import { json, stubFetch } from "@/test/render";

import type { Driver } from "../api";
import { DriverCreatePage } from "./DriverCreatePage";
import { DriverDetailPage } from "./DriverDetailPage";
import { DriverEditPage } from "./DriverEditPage";
import { DriversPage } from "./DriversPage";

beforeEach(() => sizeScrollers());
afterEach(() => vi.unstubAllGlobals());

const ID = "00000000-0000-7000-8000-000000000001";

function driver(overrides: Partial<Driver> = {}): Driver {
  return {
    id: ID,
    version: 3,
    name: "Ada Driver",
    email: null,
    phone: null,
    licence_number: "L-1",
    licence_class: "B",
    licence_expiry: "2020-01-01",
    status: "active",
    assigned_vehicle_id: null,
    group_id: null,
    user_id: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

describe("drivers", () => {
  it("lists drivers with an expired licence flagged, and offers no actions to a viewer", async () => {
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/drivers") return json({ items: [driver()], next_cursor: null });
      return undefined;
    });
    renderAt(asRole("viewer", <DriversPage />), "/drivers");
    expect(await screen.findByRole("link", { name: "Ada Driver" })).toBeTruthy();
    expect(screen.getByText(/^Expired \d+ days ago$/)).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Add driver" })).toBeNull();
  });

  it("shows the summary the app composes in above the list, for those who may read drivers", async () => {
    stubFetch((request) =>
      new URL(request.url).pathname === "/api/v1/drivers" ? json({ items: [driver()], next_cursor: null }) : undefined,
    );
    const Summary = () => <p>Scores this week</p>;
    renderAt(asRole("viewer", <DriversPage Summary={Summary} />), "/drivers");
    expect(await screen.findByText("Scores this week")).toBeTruthy();
    expect(await screen.findByRole("link", { name: "Ada Driver" })).toBeTruthy();
  });

  it("counts drivers per status and depot through search; a value pressed and a typo go to search", async () => {
    const depot = "00000000-0000-7000-8000-0000000000b1";
    const second = driver({ id: "00000000-0000-7000-8000-000000000002", name: "Bea Suspended", status: "suspended" });
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/search") {
        const facets = {
          status: [
            { value: "active", label: null, count: 1 },
            { value: "suspended", label: null, count: 1 },
          ],
          group: [],
          depot: [{ value: depot, label: "Helsinki depot", count: 2 }],
        };
        const items = [second, driver()].map((d) => ({ type: "driver", id: d.id, title: d.name, subtitle: "", score: 1, matches: [] }));
        return json({ items, next_cursor: null, total: 2, facets, types: ["driver"], corrections: {}, mode: "all" });
      }
      if (url.pathname !== "/api/v1/drivers") return undefined;
      const ids = url.searchParams.getAll("id");
      const all = [driver(), second];
      return json({ items: ids.length ? all.filter((d) => ids.includes(d.id)) : all, next_cursor: null });
    });
    const { router } = renderAt(asRole("viewer", <DriversPage />), "/drivers");
    const facets = await screen.findByRole("region", { name: "Filter drivers" });
    await userEvent.click(await within(facets).findByRole("button", { name: "Helsinki depot 2" }));
    expect(router.state.location.search).toBe(`?depot=${depot}`);
    // a depot is not a filter of the drivers endpoint: the rows are search hits, best first
    await vi.waitFor(() =>
      expect(screen.getAllByRole("link", { name: /Ada Driver|Bea Suspended/ }).map((a) => a.textContent)).toEqual([
        "Bea Suspended",
        "Ada Driver",
      ]),
    );
    const byId = calls.map((c) => new URL(c.url)).filter((u) => u.pathname === "/api/v1/drivers" && u.searchParams.has("id"));
    expect(byId.at(-1)?.searchParams.getAll("id")).toHaveLength(2);
    await userEvent.type(screen.getByLabelText("Search"), "bea suspnded");
    await vi.waitFor(() => {
      const asked = calls.map((c) => new URL(c.url)).filter((u) => u.pathname === "/api/v1/search" && u.searchParams.get("limit") === "100");
      expect(Object.fromEntries(asked.at(-1)!.searchParams)).toMatchObject({ q: "bea suspnded", types: "driver", depot });
    });
  });

  it("queues an edit with the loaded version and only the changes; a version conflict is resolved on the driver's page", async () => {
    let server = driver(); // the form is loaded on version 3

    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/drivers/${ID}` && request.method === "GET") return json(server);
      if (url.pathname === `/api/v1/drivers/${ID}` && request.method === "PATCH") {
        return json(
          {
            error: {
              code: "version_conflict",
              message: "The record was changed by someone else; reload it and try again.",
              details: { expected: 3, current: 4 },
            },
          },
          409,
        );
      }
      if (url.pathname === "/api/v1/groups") return json({ items: [], next_cursor: null });
      if (url.pathname === "/api/v1/vehicles") return json({ items: [], next_cursor: null });
      return undefined;
    });
    renderAt(asRole("dispatcher", <DriverEditPage />), `/drivers/${ID}/edit`, "/drivers/:driverId/edit", [
      { path: "/drivers/:driverId", element: asRole("dispatcher", <DriverDetailPage />) },
    ]);
    const name = await screen.findByLabelText(/^Name/);
    server = driver({ version: 4, phone: "+358 1" }); // someone else saves meanwhile
    await userEvent.clear(name);
    await userEvent.type(name, "Ada Lovelace");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    // On to the driver's page at once, the edit shown there.
    expect(await screen.findByRole("heading", { level: 1, name: /Ada/ })).toBeTruthy();
    const problem = await screen.findByRole("group", { name: "Problem: Edit driver Ada Driver" });
    expect(within(problem).getByText("Changed by someone else meanwhile.")).toBeTruthy();
    const patch = calls.find((c) => c.method === "PATCH");
    expect(await patch?.json()).toEqual({ version: 3, name: "Ada Lovelace" });
    expect(patch?.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    // The server's copy beside mine.
    expect(within(problem).getByRole("row", { name: /Name Ada Driver Ada Lovelace/ })).toBeTruthy();
  });

  it("adds a driver offline once, however often the form is sent, and opens them when saved", async () => {
    const created = driver({ id: "00000000-0000-7000-8000-0000000000c1", name: "Cy New", version: 1 });
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/drivers" && request.method === "POST") return json(created, 201);
      if (url.pathname === `/api/v1/drivers/${created.id}`) return json(created);
      if (url.pathname === "/api/v1/groups") return json({ items: [], next_cursor: null });
      if (url.pathname === "/api/v1/vehicles") return json({ items: [], next_cursor: null });
      return undefined;
    });
    const online = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    const { router } = renderAt(asRole("dispatcher", <DriverCreatePage />), "/drivers/new", "/drivers/new", [
      { path: "/drivers/:driverId", element: asRole("dispatcher", <DriverDetailPage />) },
    ]);
    await userEvent.type(await screen.findByLabelText(/^Name/), "Cy New");
    await userEvent.click(screen.getByRole("button", { name: "Add driver" }));
    expect(await screen.findByText(/Add driver Cy New: saved\. Saved on this device/)).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    online.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe(`/drivers/${created.id}`));
    expect(await screen.findByRole("heading", { level: 1, name: "Cy New" })).toBeTruthy();
    const posts = calls.filter((c) => c.method === "POST");
    expect(posts).toHaveLength(1);
    expect(await posts[0]!.json()).toMatchObject({ name: "Cy New", status: "active" });
  });

  it("deletes through the queue with the version as If-Match", async () => {
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/drivers/${ID}` && request.method === "GET") return json(driver());
      if (url.pathname === `/api/v1/drivers/${ID}` && request.method === "DELETE") return new Response(null, { status: 204 });
      if (url.pathname === "/api/v1/drivers") return json({ items: [], next_cursor: null });
      return undefined;
    });
    const { router } = renderAt(asRole("dispatcher", <DriverDetailPage />), `/drivers/${ID}`, "/drivers/:driverId", [
      { path: "/drivers", element: <p>All drivers</p> },
    ]);
    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    await userEvent.click(await screen.findByRole("button", { name: "Delete driver" }));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe("/drivers"));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(1));
    const removal = calls.find((c) => c.method === "DELETE")!;
    expect(removal.headers.get("If-Match")).toBe('"3"');
    expect(removal.headers.get("Idempotency-Key")).toBeTruthy();
  });
});
