import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { json, renderAt, stubFetch } from "@/test/render";

import type { Geofence } from "../api";
import { GeofencesPage, type GeofenceMapFrame } from "./GeofencesPage";

afterEach(() => vi.unstubAllGlobals());

/** No WebGL in the test DOM: the editor's numeric inputs stand in for the map. */
const NoMap: GeofenceMapFrame = () => <div>map</div>;

const DEPOT: Geofence = {
  id: "00000000-0000-7000-8000-0000000000d1",
  version: 3,
  name: "Depot",
  colour: "#16a34a",
  shape: "circle",
  geometry: { type: "Point", coordinates: [24.94, 60.17] },
  radius_m: 150,
  area_m2: 70_686,
  all_vehicles: true,
  group_ids: [],
  speed_limit_kmh: 30,
  active_hours: null,
  dwell_minutes: null,
  alert_on: ["enter"],
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

/** The geofences API over one fence, recording writes; `refuse` answers writes with a 422. */
function geofencesApi(refuse?: { reason: string; at?: number[] }) {
  const sent: { method: string; path: string; body: unknown }[] = [];
  stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/geofences") return json({ items: [DEPOT], next_cursor: null });
    if (url.pathname.endsWith("/vehicles")) return json({ items: [], next_cursor: null });
    return undefined;
  });
  const routed = globalThis.fetch;
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    if (request.method === "GET") return routed(request);
    const path = new URL(request.url).pathname;
    const body: unknown = request.method === "DELETE" ? null : await request.clone().json();
    sent.push({ method: request.method, path, body });
    if (refuse)
      return json(
        { error: { code: "invalid_geometry", message: "The polygon's edges cross each other.", details: refuse } },
        422,
      );
    if (request.method === "DELETE") return new Response(null, { status: 204 });
    return json({ ...DEPOT, ...(body as object), version: DEPOT.version + 1 }, request.method === "POST" ? 201 : 200);
  });
  return sent;
}

describe("the geofences screen", () => {
  it("lists the tenant's fences; a viewer may look but not change", async () => {
    geofencesApi();
    renderAt(asRole("viewer", <GeofencesPage MapFrame={NoMap} />), "/geofences");
    const list = await screen.findByRole("region", { name: "Geofences" });
    expect(await within(list).findByText("Depot")).toBeTruthy();
    expect(within(list).getByText("circle, 150 m radius · 30 km/h")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "New circle" })).toBeNull();
    await userEvent.click(within(list).getByRole("button", { name: /Depot/ }));
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    expect(await screen.findByText("No vehicle is inside.")).toBeTruthy();
  });

  it("places a circle from the keyboard, refuses a radius under 5 m before saving, then creates it", async () => {
    const sent = geofencesApi();
    renderAt(asRole("dispatcher", <GeofencesPage MapFrame={NoMap} />), "/geofences");
    await userEvent.click(await screen.findByRole("button", { name: "New circle" }));
    await userEvent.click(screen.getByRole("button", { name: "Place at the map's centre" }));
    const form = screen.getByRole("form", { name: "New geofence" });
    const radius = within(form).getByLabelText("Radius (m)");
    await userEvent.clear(radius);
    await userEvent.type(radius, "3");
    expect(within(form).getByText("Can't save this shape: the radius must be between 5 m and 100 km.")).toBeTruthy();
    await userEvent.type(within(form).getByLabelText(/^Name/), "Gate");
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(sent).toEqual([]);
    await userEvent.clear(radius);
    await userEvent.type(radius, "40");
    await userEvent.click(within(form).getByLabelText("Leaving"));
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("form", { name: "Edit Gate" })).toBeTruthy();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      method: "POST",
      path: "/api/v1/geofences",
      body: {
        name: "Gate",
        geometry: { type: "Point", coordinates: [24.94, 60.17] },
        radius_m: 40,
        all_vehicles: true,
        alert_on: ["exit"],
        speed_limit_kmh: null,
        active_hours: null,
      },
    });
  });

  it("shows the server's refusal of a shape in plain words", async () => {
    geofencesApi({ reason: "self_intersecting", at: [24.941, 60.171] });
    renderAt(asRole("fleet_manager", <GeofencesPage MapFrame={NoMap} />), "/geofences");
    const list = await screen.findByRole("region", { name: "Geofences" });
    await userEvent.click(await within(list).findByRole("button", { name: /Depot/ }));
    const form = screen.getByRole("form", { name: "Edit Depot" });
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(await within(form).findByText("Can't save this shape: the outline crosses itself.")).toBeTruthy();
  });

  it("deletes after asking", async () => {
    const sent = geofencesApi();
    renderAt(asRole("admin", <GeofencesPage MapFrame={NoMap} />), "/geofences");
    const list = await screen.findByRole("region", { name: "Geofences" });
    await userEvent.click(await within(list).findByRole("button", { name: /Depot/ }));
    await userEvent.click(screen.getByRole("button", { name: "Delete" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete geofence" }));
    await vi.waitFor(() => expect(sent).toEqual([{ method: "DELETE", path: `/api/v1/geofences/${DEPOT.id}`, body: null }]));
  });
});
