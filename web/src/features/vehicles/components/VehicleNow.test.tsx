import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import type { VehicleOverview } from "../api";
import { VehicleNow, type MiniMapProps } from "./VehicleNow";

afterEach(() => vi.unstubAllGlobals());

const ID = "00000000-0000-7000-8000-000000000001";
const FIX = { fix_time: new Date(Date.now() - 65_000).toISOString(), latitude: 60.17, longitude: 24.94, speed_kmh: 0 };

function overview(fields: Partial<VehicleOverview>): VehicleOverview {
  return {
    id: ID,
    version: 1,
    vin: null,
    plate: "AC-0001",
    name: null,
    make: null,
    model: null,
    year: null,
    type: "van",
    fuel_type: "diesel",
    odometer_km: 0,
    status: { state: "active" },
    group_id: null,
    tags: [],
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    activity: "parked",
    last_fix: FIX,
    place: { kind: "depot", group_id: "00000000-0000-7000-8000-0000000000a1", name: "Pasila depot", label: "Pasila depot" },
    driver: { id: "00000000-0000-7000-8000-0000000000d1", name: "Dana Driver" },
    tracker: { id: "00000000-0000-7000-8000-0000000000e1", name: "Van phone", protocol: "osmand", unique_id: "ac-1" },
    ...fields,
  };
}

function api(answer: VehicleOverview, live: { latitude: number; longitude: number; fix_time: string } | null) {
  return stubFetch((request) => {
    const path = new URL(request.url).pathname;
    if (path === `/api/v1/vehicles/${ID}/overview`) return json(answer);
    if (path === `/api/v1/vehicles/${ID}/state`) {
      return json({ vehicle_id: ID, plate: "AC-0001", name: null, status: "active", group_id: null, state: live });
    }
    return undefined;
  });
}

function FakeMap({ latitude, longitude, color, label }: MiniMapProps) {
  return <p>{`map of ${label} at ${latitude}, ${longitude} in ${color}`}</p>;
}

describe("where the vehicle is and who drives it", () => {
  it("shows the map at its newest position, its state, place, driver and tracker", async () => {
    const newer = { ...FIX, latitude: 60.18, longitude: 24.95, fix_time: new Date().toISOString() };
    api(overview({}), newer);
    renderAt(<VehicleNow vehicleId={ID} MiniMap={FakeMap} />);
    const card = await screen.findByRole("region", { name: "Map: where AC-0001 is" });
    expect(await within(card).findByText("map of AC-0001 at 60.18, 24.95 in #334155")).toBeTruthy();
    expect(screen.getByText("Parked")).toBeTruthy();
    expect(screen.getByText("1 min ago")).toBeTruthy();
    expect(screen.getByText("Pasila depot")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Dana Driver" }).getAttribute("href")).toBe(
      "/drivers/00000000-0000-7000-8000-0000000000d1",
    );
    expect(screen.getByRole("link", { name: "Van phone" }).getAttribute("href")).toBe(
      "/devices/00000000-0000-7000-8000-0000000000e1",
    );
  });

  it("without a fix: no map, and says so", async () => {
    api(overview({ activity: "no_position", last_fix: null, place: null, driver: null, tracker: null }), null);
    renderAt(<VehicleNow vehicleId={ID} MiniMap={FakeMap} />);
    expect(await screen.findByText("No position received yet.")).toBeTruthy();
    expect(screen.queryByText(/map of/)).toBeNull();
    expect(screen.getByText("No driver")).toBeTruthy();
    expect(screen.getByText("No tracker")).toBeTruthy();
  });
});
