import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import type { Trip } from "../api";
import type { TripMapProps } from "./TripPlayback";
import { TripsPage } from "./TripsPage";

afterEach(() => vi.unstubAllGlobals());

const VEHICLE = "00000000-0000-7000-8000-0000000000a1";
const TRIP = "00000000-0000-7000-8000-0000000000f1";
const DRIVER = "00000000-0000-7000-8000-0000000000c1";
const start = new Date(2026, 11, 3, 8, 0);
const end = new Date(2026, 11, 3, 8, 30);

const trip: Trip = {
  id: TRIP,
  vehicle_id: VEHICLE,
  device_id: "00000000-0000-7000-8000-0000000000d1",
  driver_id: DRIVER,
  status: "completed",
  started_at: start.toISOString(),
  ended_at: end.toISOString(),
  start: { latitude: 60.17, longitude: 24.94, place: { kind: "depot", group_id: VEHICLE, name: "North depot", label: "North depot" } },
  end: { latitude: 60.2, longitude: 24.95, place: null },
  distance_m: 12_345,
  distance_source: "gps",
  duration_s: 1800,
  driving_s: 1500,
  idle_s: 300,
  max_speed_kmh: 82,
  avg_speed_kmh: 29.6,
  fuel_used_l: null,
  fuel_used_pct: null,
  fixes: 3,
};

/** The map stands in as the props it was given, so the test can read what would be drawn. */
function FakeMap({ track, events, time }: TripMapProps) {
  return (
    <p data-testid="fake-map">
      {track.length} points, {events.length} events, at {time}
    </p>
  );
}

function routes() {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/trips") return json({ items: [trip], next_cursor: null });
    if (url.pathname === "/api/v1/stops") return json({ items: [], next_cursor: null });
    if (url.pathname === "/api/v1/driving-events")
      return json({
        items: [
          {
            id: "00000000-0000-7000-8000-0000000000e1",
            kind: "harsh_braking",
            source: "fixes",
            severity: "medium",
            vehicle_id: VEHICLE,
            device_id: trip.device_id,
            driver_id: DRIVER,
            started_at: new Date(start.getTime() + 60_000).toISOString(),
            ended_at: new Date(start.getTime() + 62_000).toISOString(),
            latitude: 60.18,
            longitude: 24.945,
            duration_s: 2,
            fixes: [],
            details: {},
          },
        ],
        next_cursor: null,
      });
    if (url.pathname === `/api/v1/drivers/${DRIVER}`) return json({ id: DRIVER, name: "Ada Driver" });
    if (url.pathname === `/api/v1/trips/${TRIP}`)
      return json({
        ...trip,
        track: {
          type: "Feature",
          geometry: { type: "LineString", coordinates: [[24.94, 60.17], [24.945, 60.18], [24.95, 60.2]] },
          properties: {
            times: [start.toISOString(), new Date(start.getTime() + 600_000).toISOString(), end.toISOString()],
            speeds_kmh: [0, 50, 0],
          },
        },
      });
    return undefined;
  });
}

describe("a vehicle's trips", () => {
  it("shows the day's trips with their figures, and plays the picked one back", async () => {
    routes();
    renderAt(<TripsPage TripMap={FakeMap} />, `/vehicles/${VEHICLE}/trips?day=2026-12-03`, "/vehicles/:vehicleId/trips");
    const pick = await screen.findByRole("button", { name: /Trip from North depot to 60\.20000, 24\.95000/ });
    expect(screen.getByText("12.3 km")).toBeTruthy();
    expect(screen.getByText("30 min")).toBeTruthy();
    expect(screen.getByText("82 km/h")).toBeTruthy();
    expect(await screen.findByText("Ada Driver")).toBeTruthy();
    await userEvent.click(pick);
    expect(pick.getAttribute("aria-pressed")).toBe("true");
    expect(await screen.findByText(new RegExp(`3 points, 1 events, at ${start.getTime()}$`))).toBeTruthy();
    expect(screen.getByRole("button", { name: /Harsh braking \(medium\)/ })).toBeTruthy();
    const slider = screen.getByRole("slider", { name: "Time in the trip" });
    expect(slider.getAttribute("min")).toBe(String(start.getTime()));
    await userEvent.click(screen.getByRole("button", { name: /Harsh braking/ }));
    expect(screen.getByTestId("fake-map").textContent).toContain(`at ${start.getTime() + 60_000}`);
    await userEvent.click(screen.getByRole("button", { name: "Play" }));
    expect(screen.getByRole("button", { name: "Pause" })).toBeTruthy();
  });

  it("opens the trip under way at a moment given in the address", async () => {
    routes();
    const at = start.getTime() + 600_000;
    renderAt(<TripsPage TripMap={FakeMap} />, `/vehicles/${VEHICLE}/trips?day=2026-12-03&at=${at}`, "/vehicles/:vehicleId/trips");
    expect(await screen.findByText(new RegExp(`at ${at}$`))).toBeTruthy();
  });

  it("says it needs a connection when offline instead of failing", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    renderAt(<TripsPage TripMap={FakeMap} />, `/vehicles/${VEHICLE}/trips`, "/vehicles/:vehicleId/trips");
    expect(await screen.findByText(/Trips need a connection/)).toBeTruthy();
    vi.restoreAllMocks();
  });
});
