import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import { testVehicle } from "../testFleet";
import { VehicleList } from "./VehicleList";

const FLEET = [
  testVehicle("v-3", "CVZ-157", [24.94, 60.17]),
  testVehicle("v-1", "ANS-566", [24.945, 60.172]),
  testVehicle("v-2", "ANT-422", [24.95, 60.175]),
];

function serveFleet() {
  stubFetch((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/v1/fleet/state") return json({ items: FLEET, next_cursor: null });
    if (path === "/api/v1/alerts") return json({ items: [], next_cursor: null });
    return undefined;
  });
}

async function renderList() {
  const onSelect = vi.fn();
  renderAt(<VehicleList selected={null} onSelect={onSelect} />);
  await screen.findByText(/3 of 3 vehicles/);
  return { onSelect, search: screen.getByLabelText("Find a vehicle") };
}

describe("the map's vehicle search", () => {
  beforeEach(serveFleet);

  it("opens the first match on Enter, as a click on it would", async () => {
    const { onSelect, search } = await renderList();
    await userEvent.type(search, "an");
    await screen.findByText(/2 of 3 vehicles/);
    await userEvent.keyboard("{Enter}");
    expect(onSelect).toHaveBeenCalledExactlyOnceWith("v-1"); // ANS-566 before ANT-422
  });

  it("opens the one match of a full plate", async () => {
    const { onSelect, search } = await renderList();
    await userEvent.type(search, "cvz-157{Enter}");
    await waitFor(() => expect(onSelect).toHaveBeenCalledExactlyOnceWith("v-3"));
  });

  it("does nothing on Enter when nothing matches", async () => {
    const { onSelect, search } = await renderList();
    await userEvent.type(search, "nothing like it");
    await screen.findByText(/0 of 3 vehicles/);
    await userEvent.keyboard("{Enter}");
    expect(onSelect).not.toHaveBeenCalled();
  });
});
