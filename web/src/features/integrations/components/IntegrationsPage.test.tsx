import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { json, renderAt, stubFetch } from "@/test/render";

import type { Integration } from "../api";
import { IntegrationsPage } from "./IntegrationsPage";

afterEach(() => vi.unstubAllGlobals());

const MINUTE = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function connection(patch: Partial<Integration> = {}): Integration {
  return {
    id: "i1",
    version: 1,
    provider: "samsara",
    name: "Samsara North",
    settings: { base_url: "https://api.samsara.com/", tag_ids: [], parent_tag_ids: [], page_size: 512 },
    credentials_set: ["api_token"],
    paused: false,
    status: {
      state: "ok",
      last_success_at: ago(3 * MINUTE),
      last_error: null,
      last_error_at: null,
      lag_s: 12,
      records_total: 900,
      skipped_total: 0,
      records_last_hour: 420,
    },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...patch,
  };
}

const rejected = connection({
  id: "i2",
  name: "Geotab South",
  provider: "geotab",
  settings: { server: "my.geotab.com", database: "south", results_limit: 5000, backfill_hours: 1 },
  credentials_set: ["password", "username"],
  status: {
    state: "credentials_rejected",
    last_success_at: null,
    last_error: "Geotab refused the user name or password",
    last_error_at: ago(2 * MINUTE),
    lag_s: null,
    records_total: 0,
    skipped_total: 0,
    records_last_hour: 0,
  },
});

function page(role = "admin") {
  return renderAt(asRole(role, <IntegrationsPage />), "/settings/integrations");
}

describe("Settings → Integrations", () => {
  it("lists each connection's health in words: state, last success, lag, records, the last error", async () => {
    const items = [connection(), rejected]; // their times made before the page reads the clock
    stubFetch((request) => {
      if (new URL(request.url).pathname === "/api/v1/integrations") return json({ items, next_cursor: null });
      return undefined;
    });
    page();
    const list = await screen.findByRole("list", { name: "Connections" });
    const [north, south] = within(list).getAllByRole("listitem");
    expect(within(north!).getByText("OK").className).toMatch(/state-ok/);
    expect(within(north!).getByText("3 min ago")).toBeTruthy();
    expect(within(north!).getByText("12 s")).toBeTruthy();
    expect(within(north!).getByText("420")).toBeTruthy();
    expect(within(south!).getByText("Credentials rejected").className).toMatch(/state-danger/);
    expect(within(south!).getByText("never")).toBeTruthy();
    expect(within(south!).getByText(/Geotab refused the user name or password\./)).toBeTruthy();
    expect(within(south!).getByText("(2 min ago)")).toBeTruthy();
  });

  it("adds a Samsara connection: checked first, tested as a paused record, then saved", async () => {
    const created = connection({ id: "i9", name: "Samsara EU", paused: true, status: { ...connection().status!, state: "paused" } });
    const calls = stubFetch((request) => {
      const { pathname } = new URL(request.url);
      if (pathname === "/api/v1/integrations" && request.method === "GET") return json({ items: [], next_cursor: null });
      if (pathname === "/api/v1/integrations" && request.method === "POST") return json(created, 201);
      if (pathname === "/api/v1/integrations/i9/test") {
        return json({ ok: true, vehicles: 2, message: "Samsara accepted the API token: 2 vehicles found" });
      }
      if (pathname === "/api/v1/integrations/i9" && request.method === "PATCH") return json({ ...created, version: 2, paused: false });
      return undefined;
    });
    page();
    await screen.findByText(/No connections yet/);
    await userEvent.click(screen.getByRole("button", { name: "Add connection" }));
    const form = screen.getByRole("form", { name: "Add a connection" });
    expect((within(form).getByRole("radio", { name: /Samsara/ }) as HTMLInputElement).checked).toBe(true);

    // nothing is sent while the form is incomplete: the errors sit at their fields
    await userEvent.click(within(form).getByRole("button", { name: "Test connection" }));
    const token = within(form).getByLabelText(/^API token/);
    expect(token.getAttribute("aria-invalid")).toBe("true");
    expect(within(form).getByText("Enter the API token.")).toBeTruthy();
    expect(document.activeElement).toBe(within(form).getByLabelText(/^Name/));
    expect(calls.filter((c) => c.method !== "GET")).toHaveLength(0);

    await userEvent.type(within(form).getByLabelText(/^Name/), "Samsara EU");
    await userEvent.type(token, "samsara-token");
    await userEvent.click(within(form).getByText("Advanced"));
    const address = within(form).getByLabelText(/API address/);
    await userEvent.clear(address);
    await userEvent.type(address, "https://api.eu.samsara.com");
    await userEvent.click(within(form).getByRole("button", { name: "Test connection" }));
    expect(await within(form).findByText("Connected: 2 vehicles found.")).toBeTruthy();
    const post = calls.find((c) => c.method === "POST" && new URL(c.url).pathname === "/api/v1/integrations")!;
    expect(await post.clone().json()).toEqual({
      provider: "samsara",
      name: "Samsara EU",
      settings: { base_url: "https://api.eu.samsara.com", tag_ids: [], parent_tag_ids: [] },
      credentials: { api_token: "samsara-token" },
      paused: true,
    });

    await userEvent.click(within(form).getByRole("button", { name: "Save connection" }));
    expect(await screen.findByText(/“Samsara EU” is saved/)).toBeTruthy();
    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(await patch.clone().json()).toMatchObject({ version: 1, paused: false, credentials: { api_token: "samsara-token" } });
  });

  it("shows the server's refusal at its field, and a refused token in plain words", async () => {
    const created = connection({ id: "i9", paused: true });
    let posts = 0;
    stubFetch((request) => {
      const { pathname } = new URL(request.url);
      if (pathname === "/api/v1/integrations" && request.method === "GET") return json({ items: [], next_cursor: null });
      if (pathname === "/api/v1/integrations" && request.method === "POST") {
        posts += 1;
        if (posts === 1) {
          return json(
            {
              error: {
                code: "validation_failed",
                message: "The settings are not valid for this provider.",
                details: { errors: [{ loc: ["body", "settings", "base_url"], msg: "Value error, Samsara's API is reached over https" }] },
              },
            },
            422,
          );
        }
        return json(created, 201);
      }
      if (pathname === "/api/v1/integrations/i9/test") {
        return json({ ok: false, problem: "credentials_rejected", message: "Samsara refused the API token" });
      }
      return undefined;
    });
    page();
    await userEvent.click(await screen.findByRole("button", { name: "Add connection" }));
    const form = screen.getByRole("form", { name: "Add a connection" });
    await userEvent.type(within(form).getByLabelText(/^Name/), "Samsara");
    await userEvent.type(within(form).getByLabelText(/^API token/), "wrong");
    await userEvent.click(within(form).getByRole("button", { name: "Test connection" }));
    // the folded "Advanced" opens to show the refused address
    const address = await within(form).findByLabelText(/API address/);
    await vi.waitFor(() => expect(address.getAttribute("aria-invalid")).toBe("true"));
    expect(within(form).getByText("Samsara's API is reached over https")).toBeTruthy();
    await userEvent.click(within(form).getByRole("button", { name: "Test connection" }));
    const alert = await within(form).findByText("The vendor refused the credentials.");
    expect(alert.parentElement!.textContent).toContain("Samsara refused the API token.");
  });

  it("keeps credentials write-only when editing: set, or replaced all at once", async () => {
    const calls = stubFetch((request) => {
      const { pathname } = new URL(request.url);
      if (pathname === "/api/v1/integrations" && request.method === "GET") return json({ items: [rejected], next_cursor: null });
      if (pathname === "/api/v1/integrations/i2" && request.method === "PATCH") return json({ ...rejected, version: 2 });
      return undefined;
    });
    page();
    const item = (await screen.findByRole("list", { name: "Connections" })).querySelector("li")!;
    await userEvent.click(within(item).getByRole("button", { name: "Edit" }));
    const form = within(item).getByRole("form", { name: "Edit Geotab South" });
    // rejected credentials open the edit with new ones to enter; they can be kept instead
    await userEvent.click(within(form).getByRole("button", { name: "Keep the stored credentials" }));
    expect(within(form).getByText("Username:").textContent).toContain("set");
    expect(within(form).queryByLabelText(/Password/)).toBeNull();
    await userEvent.click(within(form).getByRole("button", { name: "Replace credentials" }));
    await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(within(form).getByText("Enter the username.")).toBeTruthy();
    await userEvent.type(within(form).getByLabelText(/^Username/), "svc@example.com");
    await userEvent.type(within(form).getByLabelText(/^Password/), "new secret");
    await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    await vi.waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(await patch.clone().json()).toEqual({
      version: 1,
      name: "Geotab South",
      settings: { server: "my.geotab.com", database: "south", results_limit: 5000, backfill_hours: 1 },
      credentials: { username: "svc@example.com", password: "new secret" },
    });
  });

  it("matches a waiting vendor vehicle to one of ours", async () => {
    const waiting = {
      vendor_id: "212014918732717",
      name: "Big Red",
      vin: null,
      serial: null,
      plate: null,
      device_id: null,
      vehicle_id: null,
      matched_by: null,
      last_seen_at: ago(MINUTE),
    };
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/integrations") return json({ items: [connection()], next_cursor: null });
      if (url.pathname === "/api/v1/integrations/i1/vehicles") return json({ items: [waiting], next_cursor: null });
      if (url.pathname === "/api/v1/vehicles") {
        return json({ items: [{ id: "v7", plate: "ABC-7", name: "Van 7" }], next_cursor: null });
      }
      if (url.pathname.endsWith("/match")) return json({ ...waiting, vehicle_id: "v7", matched_by: "person" });
      return undefined;
    });
    page();
    const item = (await screen.findByRole("list", { name: "Connections" })).querySelector("li")!;
    await userEvent.click(within(item).getByRole("button", { name: "Vehicles" }));
    const panel = await within(item).findByRole("region", { name: "Vehicles in Samsara North" });
    expect(await within(panel).findByText("1 vehicle: 0 matched, 1 waiting.")).toBeTruthy();
    await userEvent.click(within(panel).getByRole("button", { name: "Match Big Red" }));
    await within(panel).findByRole("option", { name: "ABC-7 · Van 7" });
    await userEvent.selectOptions(within(panel).getByLabelText("Our vehicle for Big Red"), "v7");
    await userEvent.click(within(panel).getByRole("button", { name: "Match" }));
    await vi.waitFor(() => expect(calls.some((c) => c.url.endsWith("/vehicles/212014918732717/match"))).toBe(true));
    const match = calls.find((c) => c.url.endsWith("/match"))!;
    expect(await match.clone().json()).toEqual({ vehicle_id: "v7" });
  });

  it("is not offered to a role without integrations:manage", async () => {
    const calls = stubFetch(() => undefined);
    page("fleet_manager");
    expect(await screen.findByText(/can’t manage integrations/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Add connection" })).toBeNull();
    expect(calls).toHaveLength(0);
  });
});
