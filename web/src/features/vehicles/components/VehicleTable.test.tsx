import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { sizeScrollers } from "@/test/layout";
import { json, renderAt, stubFetch } from "@/test/render";

import type { VehicleOverview } from "../api";
import { VehiclesPage } from "./VehiclesPage";

// jsdom lays nothing out: the scrolling box is 600 px tall, like a small laptop screen.
beforeEach(() => sizeScrollers());

afterEach(() => vi.unstubAllGlobals());

const NOW = Date.now();
const DRIVER = { id: "00000000-0000-7000-8000-0000000000d1", name: "Dana Driver" };

function vehicle(i: number): VehicleOverview {
  const moving = i === 1;
  return {
    id: `00000000-0000-7000-8000-${i.toString().padStart(12, "0")}`,
    version: 1,
    vin: null,
    plate: `AB-${i.toString().padStart(4, "0")}`,
    name: `Van ${i}`,
    make: "Ford",
    model: "Transit",
    year: 2020,
    type: "van",
    fuel_type: "diesel",
    odometer_km: 100 * i,
    status: { state: "active" },
    group_id: null,
    tags: [],
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-02T00:00:00Z",
    activity: moving ? "moving" : "no_position",
    last_fix: moving
      ? {
          fix_time: new Date(NOW - 3 * 60_000 - 5_000).toISOString(),
          latitude: 60.17,
          longitude: 24.94,
          speed_kmh: 42,
        }
      : null,
    place: moving
      ? { kind: "street", name: "Mannerheimintie", near: false, distance_m: 4, label: "Mannerheimintie" }
      : null,
    driver: moving ? DRIVER : null,
    tracker: moving
      ? {
          id: "00000000-0000-7000-8000-0000000000e1",
          name: null,
          protocol: "teltonika",
          unique_id: "356307042441013",
        }
      : null,
  };
}

const MAKES = [
  { value: "Ford", label: null, count: 7 },
  { value: "Volvo", label: null, count: 3 },
];

/** The search API: facet counts when asked for them, vehicles 3, 1 and 2 (best first) as hits. */
function searchAnswer(url: URL) {
  const facets = Object.fromEntries(
    (url.searchParams.get("facets") ?? "")
      .split(",")
      .filter(Boolean)
      .map((facet) => [facet, facet === "make" ? MAKES : facet === "status" ? [{ value: "active", label: null, count: 10 }] : []]),
  );
  const hits = [3, 1, 2].map((i) => ({
    type: "vehicle",
    id: vehicle(i).id,
    title: vehicle(i).plate,
    subtitle: "Ford Transit",
    score: 0.5,
    matches: [],
  }));
  return json({ items: hits, next_cursor: null, total: 3, facets, types: ["vehicle"], corrections: {}, mode: "all" });
}

function vehiclesApi() {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/groups") return json({ items: [], next_cursor: null });
    if (url.pathname === "/api/v1/drivers") return json({ items: [DRIVER], next_cursor: null });
    if (url.pathname === "/api/v1/search") return searchAnswer(url);
    if (url.pathname !== "/api/v1/vehicles/overview") return undefined;
    const ids = url.searchParams.getAll("id");
    if (ids.length) {
      return json({ items: [1, 2, 3].map(vehicle).filter((v) => ids.includes(v.id)), next_cursor: null });
    }
    const cursor = url.searchParams.get("cursor");
    const start = cursor ? Number(cursor) : 0;
    const items = Array.from({ length: 200 }, (_, i) => vehicle(start + i + 1));
    return json({ items, next_cursor: start === 0 ? "200" : null });
  });
}

const listCalls = (calls: Request[]) =>
  calls.filter((c) => new URL(c.url).pathname === "/api/v1/vehicles/overview");
const searchCalls = (calls: Request[], limit: string) =>
  calls
    .map((c) => new URL(c.url))
    .filter((url) => url.pathname === "/api/v1/search" && url.searchParams.get("limit") === limit)
    .map((url) => url.searchParams);
const plates = () =>
  within(screen.getByRole("table"))
    .getAllByRole("link")
    .map((a) => a.textContent)
    .filter((text) => text?.startsWith("AB-"));

describe("the vehicles list", () => {
  it("renders only the rows in view, and pages on with the cursor", async () => {
    const calls = vehiclesApi();
    renderAt(<VehiclesPage />, "/vehicles");
    expect(await screen.findByRole("link", { name: "AB-0001" })).toBeTruthy();
    const rows = within(screen.getByRole("table")).getAllByRole("row");
    expect(rows.length).toBeLessThan(60); // of 200 loaded
    // Far from the end of the loaded rows: no second page yet.
    expect(listCalls(calls)).toHaveLength(1);
    const first = new URL(listCalls(calls)[0]!.url).searchParams;
    expect(first.get("sort")).toBe("plate");
    expect(first.get("limit")).toBe("200");
  });

  it("shows each vehicle's state, time since its fix, place, driver and tracker", async () => {
    vehiclesApi();
    renderAt(asRole("fleet_manager", <VehiclesPage />), "/vehicles");
    const link = await screen.findByRole("link", { name: "AB-0001" });
    const row = link.closest("tr")!;
    const headers = screen.getAllByRole("columnheader").map((th) => th.textContent?.replace(/[▲▼]/, ""));
    expect(headers).toEqual([
      "Plate",
      "Name",
      "State",
      "Last fix",
      "Place",
      "Driver",
      "Tracker",
      "Make and model",
      "Status",
    ]);
    const cells = within(row).getAllByRole("cell").map((td) => td.textContent);
    expect(cells).toEqual([
      "AB-0001",
      "Van 1",
      "Moving",
      "3 min ago",
      "Mannerheimintie",
      "Dana Driver",
      "356307042441013",
      "Ford Transit",
      "Active",
    ]);
    expect(within(row).getByRole("link", { name: "Dana Driver" }).getAttribute("href")).toBe(`/drivers/${DRIVER.id}`);
    const tracker = within(row).getByRole("link", { name: "Teltonika · IMEI 356307042441013" });
    expect(tracker.getAttribute("href")).toBe("/devices/00000000-0000-7000-8000-0000000000e1");
    const second = screen.getByRole("link", { name: "AB-0002" }).closest("tr")!;
    expect(within(second).getAllByRole("cell").map((td) => td.textContent).slice(2, 7)).toEqual([
      "No position",
      "—",
      "—",
      "—",
      "—",
    ]);
  });

  it("sends one status and type, and the sort, to the overview; text goes to search", async () => {
    const calls = vehiclesApi();
    renderAt(<VehiclesPage />, "/vehicles?status=retired&type=van");
    await screen.findByRole("link", { name: "AB-0001" });
    await userEvent.click(screen.getByRole("button", { name: /Make and model/ }));
    await vi.waitFor(() => {
      const last = new URL(listCalls(calls).at(-1)!.url).searchParams;
      expect(Object.fromEntries(last)).toMatchObject({ status: "retired", type: "van", sort: "make" });
    });
    await userEvent.type(screen.getByLabelText("Search"), "frod");
    // the text through search (typos forgiven), with the facet choices; then the hits by id
    await vi.waitFor(() => {
      const found = searchCalls(calls, "100").at(-1);
      expect(found && Object.fromEntries(found)).toMatchObject({ q: "frod", types: "vehicle", status: "retired", type: "van" });
      expect(new URL(listCalls(calls).at(-1)!.url).searchParams.getAll("id")).toHaveLength(3);
    });
    // a chosen column still sorts (here, among the hits)
    await vi.waitFor(() => expect(plates()).toEqual(["AB-0003", "AB-0001", "AB-0002"])); // all Ford Transits
    await userEvent.click(screen.getByRole("button", { name: /Plate/ }));
    await vi.waitFor(() => expect(plates()).toEqual(["AB-0001", "AB-0002", "AB-0003"]));
    expect(screen.getByRole("columnheader", { name: /Plate/ }).getAttribute("aria-sort")).toBe("ascending");
  });

  it("shows search hits best first with their live context, and how many match", async () => {
    vehiclesApi();
    renderAt(asRole("dispatcher", <VehiclesPage />), "/vehicles?q=trnsit");
    await vi.waitFor(() => expect(plates()).toEqual(["AB-0003", "AB-0001", "AB-0002"]));
    expect(screen.getByText("3 vehicles")).toBeTruthy();
    expect(screen.getByText(/Best matches first/)).toBeTruthy();
    expect(within(screen.getByRole("table")).getByRole("link", { name: DRIVER.name })).toBeTruthy();
    for (const header of screen.getAllByRole("columnheader")) expect(header.getAttribute("aria-sort") ?? "none").toBe("none");
  });

  it("shows facet counts from search; a value pressed filters the list, its facet counted without it", async () => {
    const calls = vehiclesApi();
    const { router } = renderAt(<VehiclesPage />, "/vehicles");
    const facets = await screen.findByRole("region", { name: "Filter vehicles" });
    const volvo = await within(facets).findByRole("button", { name: "Volvo 3" });
    expect(within(facets).getByRole("button", { name: "Active 10" })).toBeTruthy();
    expect(searchCalls(calls, "1")[0]?.get("facets")).toBe("status,type,make,model,group");

    await userEvent.click(volvo);
    expect(router.state.location.search).toBe("?make=Volvo");
    await vi.waitFor(() => expect(volvo.getAttribute("aria-pressed")).toBe("true"));
    await vi.waitFor(() => {
      const asked = searchCalls(calls, "1").map((params) => [params.get("facets"), params.getAll("make")]);
      expect(asked).toContainEqual(["status,type,model,group", ["Volvo"]]); // the others: with Volvo
      expect(asked).toContainEqual(["make", []]); // makes: without it, so Ford can be added
      expect(searchCalls(calls, "100").at(-1)?.getAll("make")).toEqual(["Volvo"]);
    });
    await userEvent.click(within(facets).getByRole("button", { name: "Clear filters" }));
    expect(router.state.location.search).toBe("");
  });

  it("offline, filters the saved list itself and says counts need a connection", async () => {
    const offline = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    try {
      const calls = vehiclesApi();
      const { client } = renderAt(<VehiclesPage />, "/vehicles?q=ab-0002");
      // the list without text, as saved on this device (restored from IndexedDB in the app)
      const saved = { q: undefined, activity: undefined, driver: undefined, tracker: undefined, sort: undefined, facets: {} };
      client.setQueryData(["vehicles", "list", saved], {
        pages: [{ items: [1, 2, 3].map(vehicle), next_cursor: null }],
        pageParams: [null],
      });
      await vi.waitFor(() => expect(plates()).toEqual(["AB-0002"]));
      expect(screen.getByText(/counts need a connection/)).toBeTruthy();
      expect(screen.getByText(/saved on this device, filtered here/)).toBeTruthy();
      expect(calls.filter((c) => new URL(c.url).pathname === "/api/v1/search")).toEqual([]);
    } finally {
      offline.mockRestore();
    }
  });

  it("takes the state from the address (the dashboard's links) and filters by driver and tracker", async () => {
    const calls = vehiclesApi();
    const { router } = renderAt(asRole("dispatcher", <VehiclesPage />), "/vehicles?activity=moving");
    await screen.findByRole("link", { name: "AB-0001" });
    expect((screen.getByLabelText("State") as HTMLSelectElement).value).toBe("moving");
    expect(new URL(listCalls(calls)[0]!.url).searchParams.getAll("activity")).toEqual(["moving"]);

    await userEvent.selectOptions(screen.getByLabelText("State"), "Parked");
    await userEvent.selectOptions(await screen.findByLabelText("Driver"), "Without a driver");
    await userEvent.selectOptions(screen.getByLabelText("Tracker"), "Teltonika");
    await vi.waitFor(() => {
      const last = new URL(listCalls(calls).at(-1)!.url).searchParams;
      expect(Object.fromEntries(last)).toMatchObject({
        activity: "parked",
        has_driver: "false",
        tracker_protocol: "teltonika",
      });
    });
    expect(router.state.location.search).toBe("?activity=parked&driver=none&tracker=teltonika");

    await userEvent.selectOptions(screen.getByLabelText("Driver"), "Dana Driver");
    await vi.waitFor(() => {
      const last = new URL(listCalls(calls).at(-1)!.url).searchParams;
      expect(last.get("driver_id")).toBe(DRIVER.id);
      expect(last.has("has_driver")).toBe(false);
    });
  });

  it("sorts by state and by driver; hides what the role may not see", async () => {
    const calls = vehiclesApi();
    renderAt(asRole("driver", <VehiclesPage />), "/vehicles");
    await screen.findByRole("link", { name: "AB-0001" });
    expect(screen.queryByLabelText("Driver")).toBeNull();
    expect(screen.queryByLabelText("Tracker")).toBeNull();
    expect(within(screen.getByRole("columnheader", { name: "Driver" })).queryByRole("button")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: /State/ }));
    await userEvent.click(screen.getByRole("button", { name: /State/ }));
    await vi.waitFor(() => expect(new URL(listCalls(calls).at(-1)!.url).searchParams.get("sort")).toBe("-activity"));
    expect(calls.some((c) => new URL(c.url).pathname === "/api/v1/drivers")).toBe(false);
  });
});
