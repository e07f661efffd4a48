import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import type { Vehicle } from "../api";
import { VehiclesPage } from "./VehiclesPage";

// jsdom lays nothing out: the scrolling box is 600 px tall, like a small laptop screen.
beforeEach(() => {
  const size = (name: "clientHeight" | "clientWidth", px: number) =>
    vi.spyOn(HTMLElement.prototype, name, "get").mockImplementation(function (this: HTMLElement) {
      return this.classList.contains("table-scroll") ? px : 0;
    });
  size("clientHeight", 600);
  size("clientWidth", 1024);
});

afterEach(() => vi.unstubAllGlobals());

function vehicle(i: number): Vehicle {
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
  };
}

function vehiclesApi() {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/groups") return json({ items: [], next_cursor: null });
    if (url.pathname !== "/api/v1/vehicles") return undefined;
    const cursor = url.searchParams.get("cursor");
    const start = cursor ? Number(cursor) : 0;
    const items = Array.from({ length: 200 }, (_, i) => vehicle(start + i + 1));
    return json({ items, next_cursor: start === 0 ? "200" : null });
  });
}

describe("the vehicles list", () => {
  it("renders only the rows in view, and pages on with the cursor", async () => {
    const calls = vehiclesApi();
    renderAt(<VehiclesPage />, "/vehicles");
    expect(await screen.findByRole("link", { name: "AB-0001" })).toBeTruthy();
    const rows = within(screen.getByRole("table")).getAllByRole("row");
    expect(rows.length).toBeLessThan(60); // of 200 loaded
    // Far from the end of the loaded rows: no second page yet.
    const listCalls = () => calls.filter((c) => new URL(c.url).pathname === "/api/v1/vehicles");
    expect(listCalls()).toHaveLength(1);
    const first = new URL(listCalls()[0]!.url).searchParams;
    expect(first.get("sort")).toBe("plate");
    expect(first.get("limit")).toBe("200");
  });

  it("sends search, filters and sort to the API", async () => {
    const calls = vehiclesApi();
    renderAt(<VehiclesPage />, "/vehicles?status=retired&type=van");
    await screen.findByRole("link", { name: "AB-0001" });
    await userEvent.click(screen.getByRole("button", { name: /Year/ }));
    await userEvent.type(screen.getByLabelText("Search"), "ford");
    await vi.waitFor(() => {
      const last = new URL(calls.at(-1)!.url).searchParams;
      expect(Object.fromEntries(last)).toMatchObject({
        q: "ford",
        status: "retired",
        type: "van",
        sort: "year",
      });
    });
    expect(screen.getByRole("columnheader", { name: /Year/ }).getAttribute("aria-sort")).toBe("ascending");
  });
});
