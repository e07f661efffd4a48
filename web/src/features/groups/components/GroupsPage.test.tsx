import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { json, renderAt, stubFetch } from "@/test/render";

import type { Group } from "../api";
import { DELETE_RULE, GroupsPage } from "./GroupsPage";

afterEach(() => vi.unstubAllGlobals());

function group(id: string, name: string, overrides: Partial<Group> = {}): Group {
  return {
    id,
    version: 1,
    name,
    kind: "depot",
    parent_id: null,
    latitude: null,
    longitude: null,
    radius_m: null,
    vehicle_count: 0,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

const REGION = "00000000-0000-7000-8000-0000000000a1";
const PASILA = "00000000-0000-7000-8000-0000000000b1";

/** A small groups API over an in-memory list, recording what was sent. */
function groupsApi() {
  let groups: Group[] = [
    group(REGION, "Uusimaa", { kind: "region", vehicle_count: 1 }),
    group(PASILA, "Pasila", {
      parent_id: REGION,
      vehicle_count: 7,
      latitude: 60.17605,
      longitude: 24.938268,
      radius_m: 100,
    }),
  ];
  const sent: { method: string; path: string; body: unknown; ifMatch: string | null }[] = [];
  const calls = stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/groups" && request.method === "GET") {
      return json({ items: groups, next_cursor: null });
    }
    return undefined;
  });
  // writes need the body, which stubFetch's synchronous route can't await: wrap fetch
  const routed = globalThis.fetch;
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    const path = new URL(request.url).pathname;
    if (request.method === "GET") return routed(request);
    const body: unknown = request.method === "DELETE" ? null : await request.clone().json();
    sent.push({ method: request.method, path, body, ifMatch: request.headers.get("If-Match") });
    if (request.method === "POST") {
      const created = group(`00000000-0000-7000-8000-0000000000c${sent.length}`, "", body as Partial<Group>);
      groups = [...groups, { ...created, ...(body as Partial<Group>), radius_m: 100 }];
      return json(created, 201);
    }
    const id = path.split("/").at(-1)!;
    if (request.method === "PATCH") {
      groups = groups.map((g) => (g.id === id ? { ...g, ...(body as Partial<Group>), version: g.version + 1 } : g));
      return json(groups.find((g) => g.id === id));
    }
    groups = groups.filter((g) => g.id !== id).map((g) => (g.parent_id === id ? { ...g, parent_id: null } : g));
    return new Response(null, { status: 204 });
  });
  return { calls, sent };
}

describe("the groups screen", () => {
  it("shows regions holding their depots, with vehicle counts linked to the list and the place", async () => {
    groupsApi();
    renderAt(asRole("viewer", <GroupsPage />), "/groups");
    const tree = await screen.findByRole("region", { name: "Groups" });
    const region = within(tree).getByText("Uusimaa").closest("li")!;
    const depot = within(region).getByText("Pasila").closest("li")!;
    expect(within(depot).getByText("Depot")).toBeTruthy();
    const link = within(depot).getByRole("link", { name: "7 vehicles in Pasila" });
    expect(link.getAttribute("href")).toBe(`/vehicles?group=${PASILA}`);
    expect(within(depot).getByText(/60\.17605, 24\.93827 · 100 m radius/)).toBeTruthy();
    expect(screen.getByText(DELETE_RULE)).toBeTruthy();
    // a viewer sees no way to change anything
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("creates a depot in a region with its location, and shows it in the tree", async () => {
    const { sent } = groupsApi();
    renderAt(asRole("fleet_manager", <GroupsPage />), "/groups");
    await userEvent.click(await screen.findByRole("button", { name: "Add depot in Uusimaa" }));
    const form = screen.getByRole("form", { name: "New group" });
    await userEvent.type(within(form).getByLabelText(/^Name/), "Herttoniemi");
    expect((within(form).getByLabelText(/^Part of/) as HTMLSelectElement).value).toBe(REGION);
    await userEvent.type(within(form).getByLabelText(/^Latitude/), "60.175808");
    await userEvent.type(within(form).getByLabelText(/^Longitude/), "24.949053");
    await userEvent.click(within(form).getByRole("button", { name: "Create group" }));

    const tree = await screen.findByRole("region", { name: "Groups" });
    const region = within(tree).getByText("Uusimaa").closest("li")!;
    expect(await within(region).findByText("Herttoniemi")).toBeTruthy();
    expect(sent).toEqual([
      {
        method: "POST",
        path: "/api/v1/groups",
        body: { name: "Herttoniemi", kind: "depot", parent_id: REGION, latitude: 60.175808, longitude: 24.949053 },
        ifMatch: null,
      },
    ]);
  });

  it("renames, moves and re-places a group with its version, never under itself", async () => {
    const { sent } = groupsApi();
    renderAt(asRole("admin", <GroupsPage />), "/groups");
    await userEvent.click(await screen.findByRole("button", { name: "Edit Uusimaa" }));
    const regionForm = screen.getByRole("form", { name: "Edit Uusimaa" });
    const parents = within(regionForm).getByLabelText(/^Part of/);
    // neither itself nor its own depot is offered as its parent
    expect(within(parents).getAllByRole("option").map((o) => o.textContent)).toEqual(["Nothing (top level)"]);
    await userEvent.click(within(regionForm).getByRole("button", { name: "Cancel" }));

    await userEvent.click(screen.getByRole("button", { name: "Edit Pasila" }));
    const form = screen.getByRole("form", { name: "Edit Pasila" });
    const name = within(form).getByLabelText(/^Name/);
    await userEvent.clear(name);
    await userEvent.type(name, "Pasila depot");
    const radius = within(form).getByLabelText(/^Radius/);
    await userEvent.clear(radius);
    await userEvent.type(radius, "250");
    await userEvent.click(within(form).getByRole("button", { name: "Save group" }));
    expect(await screen.findByText("Pasila depot")).toBeTruthy();
    expect(sent.at(-1)).toEqual({
      method: "PATCH",
      path: `/api/v1/groups/${PASILA}`,
      body: {
        name: "Pasila depot",
        kind: "depot",
        parent_id: REGION,
        latitude: 60.17605,
        longitude: 24.938268,
        radius_m: 250,
        version: 1,
      },
      ifMatch: null,
    });
  });

  it("says what deleting keeps before deleting, and sends the version", async () => {
    const { sent } = groupsApi();
    renderAt(asRole("owner", <GroupsPage />), "/groups");
    await userEvent.click(await screen.findByRole("button", { name: "Delete Uusimaa" }));
    expect(
      screen.getByText("Delete Uusimaa? Its 1 vehicle stays, with no group. Its subgroup moves to the top level."),
    ).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete Pasila" }));
    expect(screen.getByText("Delete Pasila? Its 7 vehicles stay, with no group.")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Delete group" }));
    await vi.waitFor(() => expect(screen.queryByText("Pasila")).toBeNull());
    expect(sent).toEqual([{ method: "DELETE", path: `/api/v1/groups/${PASILA}`, body: null, ifMatch: '"1"' }]);

    expect(sent).toHaveLength(1);
  });

  it("shows the server's reason when it refuses a location", async () => {
    groupsApi();
    const routed = globalThis.fetch;
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(String(input), init);
      if (request.method !== "POST") return routed(input, init);
      return json(
        {
          error: {
            code: "validation_failed",
            message: "The request is not valid.",
            details: { errors: [{ loc: ["body", "latitude"], msg: "Input should be less than or equal to 90" }] },
          },
        },
        422,
      );
    });
    renderAt(asRole("owner", <GroupsPage />), "/groups");
    await userEvent.click(await screen.findByRole("button", { name: "New group" }));
    const form = screen.getByRole("form", { name: "New group" });
    await userEvent.type(within(form).getByLabelText(/^Name/), "Far away");
    await userEvent.type(within(form).getByLabelText(/^Latitude/), "95");
    await userEvent.type(within(form).getByLabelText(/^Longitude/), "24");
    await userEvent.click(within(form).getByRole("button", { name: "Create group" }));
    expect(await within(form).findByText("Input should be less than or equal to 90")).toBeTruthy();
    expect(within(form).getByLabelText(/^Latitude/).getAttribute("aria-invalid")).toBe("true");
  });
});
