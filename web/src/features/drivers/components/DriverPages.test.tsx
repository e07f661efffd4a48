import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { sizeScrollers } from "@/test/layout";
import { json, renderAt, stubFetch } from "@/test/render";

import type { Driver } from "../api";
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

  it("sends the loaded version with only the changes, and shows a version conflict", async () => {
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/drivers/${ID}` && request.method === "GET") return json(driver());
      if (url.pathname === `/api/v1/drivers/${ID}` && request.method === "PATCH") {
        return json(
          {
            error: {
              code: "version_conflict",
              message: "The record was changed by someone else; reload it and try again.",
              details: {},
            },
          },
          409,
        );
      }
      if (url.pathname === "/api/v1/groups") return json({ items: [], next_cursor: null });
      if (url.pathname === "/api/v1/vehicles") return json({ items: [], next_cursor: null });
      return undefined;
    });
    renderAt(asRole("dispatcher", <DriverEditPage />), `/drivers/${ID}/edit`, "/drivers/:driverId/edit");
    const name = await screen.findByLabelText(/^Name/);
    await userEvent.clear(name);
    await userEvent.type(name, "Ada Lovelace");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("changed by someone else");
    expect(screen.getByRole("button", { name: /Load the latest version/ })).toBeTruthy();
    const patch = calls.find((c) => c.method === "PATCH");
    expect(await patch?.json()).toEqual({ version: 3, name: "Ada Lovelace" });
  });
});
