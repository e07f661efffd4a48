import { describe, expect, it } from "vitest";

import type { MapConfig } from "./api";
import { testVehicle } from "./testFleet";
import { constrainCamera, fitPadding, fleetBox, MIN_SPAN_M, openingBox, type Box } from "./view";

const DRAWN: Box = [24.935, 60.164, 24.953, 60.179];
const MAX: Box = [24.93, 60.162, 24.958, 60.181];
const CONFIG: MapConfig = {
  style_url: "/basemap/style.json",
  offline: true,
  bounds: DRAWN,
  max_bounds: MAX,
  min_zoom: 12.2,
};
const spanM = (box: Box) => ({
  ns: (box[3] - box[1]) * 111_195,
  ew: (box[2] - box[0]) * 111_195 * Math.cos((((box[1] + box[3]) / 2) * Math.PI) / 180),
});

describe("the box the map opens on", () => {
  it("holds every vehicle's latest position", () => {
    const fleet = [
      testVehicle("a", "A-1", [24.94, 60.17]),
      testVehicle("b", "B-2", [24.95, 60.175]),
      testVehicle("c", "C-3", [24.938, 60.166]),
      testVehicle("d", "D-4", null), // no fix yet: not on the map
    ];
    expect(fleetBox(fleet)).toEqual([24.938, 60.166, 24.95, 60.175]);
    expect(openingBox(fleet, CONFIG)).toEqual({ box: [24.938, 60.166, 24.95, 60.175], on: "fleet" });
  });

  it("shows a lone vehicle with its streets around it, not its kerb", () => {
    const box = fleetBox([testVehicle("a", "A-1", [24.94, 60.17])]) as Box;
    const { ns, ew } = spanM(box);
    expect(ns).toBeCloseTo(MIN_SPAN_M, 0);
    expect(ew).toBeCloseTo(MIN_SPAN_M, 0);
    expect((box[0] + box[2]) / 2).toBeCloseTo(24.94, 9);
    expect((box[1] + box[3]) / 2).toBeCloseTo(60.17, 9);
  });

  it("leaves out a fix beyond the drawn map's margin (it could not be shown there)", () => {
    const fleet = [testVehicle("a", "A-1", [24.94, 60.17]), testVehicle("far", "F-1", [25.5, 61.0])];
    const { box } = openingBox(fleet, CONFIG) as { box: Box };
    expect(box[2]).toBeLessThan(24.96);
    expect(box[3]).toBeLessThan(60.18);
  });

  it("falls back to the drawn basemap when no vehicle has a position", () => {
    expect(openingBox([testVehicle("d", "D-4", null)], CONFIG)).toEqual({ box: DRAWN, on: "basemap" });
    expect(openingBox([], CONFIG)).toEqual({ box: DRAWN, on: "basemap" });
    expect(openingBox(undefined, CONFIG)).toEqual({ box: DRAWN, on: "basemap" });
  });

  it("fits a fleet anywhere under an operator's own style (no bounds), or leaves the style's view", () => {
    const own: MapConfig = { style_url: "https://tiles.example/style.json", offline: false, bounds: null };
    const fleet = [testVehicle("a", "A-1", [10, 50]), testVehicle("b", "B-1", [11, 51])];
    expect(openingBox(fleet, own)).toEqual({ box: [10, 50, 11, 51], on: "fleet" });
    expect(openingBox([], own)).toBeNull();
  });
});

describe("how far the map may stray", () => {
  const limits = { minZoom: 13, maxZoom: 20 };
  const screen = { width: 1000, height: 600 };
  /** What the view shows at a camera: [west, south, east, north]. */
  const seen = (camera: { lng: number; lat: number; zoom: number }, view = screen): Box => {
    const world = 512 * 2 ** camera.zoom;
    const y = (lat: number) => {
      const sin = Math.sin((lat * Math.PI) / 180);
      return 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
    };
    const lat = (v: number) => (Math.atan(Math.sinh(Math.PI * (1 - 2 * v))) * 180) / Math.PI;
    const halfLng = (view.width / world) * 180;
    const halfY = view.height / world / 2;
    return [camera.lng - halfLng, lat(y(camera.lat) + halfY), camera.lng + halfLng, lat(y(camera.lat) - halfY)];
  };

  it("leaves a camera inside the max bounds as it is", () => {
    const camera = constrainCamera(24.944, 60.17, 16, MAX, limits, screen);
    expect(camera.lng).toBeCloseTo(24.944, 9);
    expect(camera.lat).toBeCloseTo(60.17, 9);
    expect(camera.zoom).toBe(16);
  });

  it("close up, keeps the whole view inside the max bounds", () => {
    const camera = constrainCamera(26, 59, 16, MAX, limits, screen); // dragged far south-east
    const [west, south, east, north] = seen(camera);
    expect(east).toBeCloseTo(MAX[2], 6);
    expect(south).toBeCloseTo(MAX[1], 6);
    expect(west).toBeGreaterThan(MAX[0]);
    expect(north).toBeLessThan(MAX[3]);
  });

  it("zoomed out, centres the axis the view is wider than and holds the other inside", () => {
    // At zoom 14 a 1000 × 600 px view is ~2.4 km wide, wider than the 1.5 km box: centred
    // east–west; ~1.4 km tall, less than the box's 2.1 km: held inside north–south.
    const camera = constrainCamera(24.9, 60.1, 14, MAX, limits, screen); // dragged south-west
    expect(camera.lng).toBeCloseTo((MAX[0] + MAX[2]) / 2, 9);
    const [, south, , north] = seen(camera);
    expect(south).toBeCloseTo(MAX[1], 6);
    expect(north).toBeLessThan(MAX[3]);
  });

  it("at its lowest zoom, shows the max bounds in the middle of the screen", () => {
    const phone = { width: 400, height: 800 };
    const camera = constrainCamera(25.2, 60.4, 3, MAX, limits, phone);
    expect(camera.zoom).toBe(13);
    const [west, south, east, north] = seen(camera, phone);
    expect((west + east) / 2).toBeCloseTo((MAX[0] + MAX[2]) / 2, 9);
    expect((south + north) / 2).toBeCloseTo((MAX[1] + MAX[3]) / 2, 3);
    expect(west < MAX[0] && east > MAX[2] && south < MAX[1] && north > MAX[3]).toBe(true);
    expect(constrainCamera(24.94, 60.17, 25, MAX, limits, phone).zoom).toBe(20);
  });

  it("only limits the zoom without max bounds", () => {
    expect(constrainCamera(100, -40, 2, null, limits, screen)).toEqual({ lng: 100, lat: -40, zoom: 13 });
  });

  it("pads the fit by at most a quarter of the canvas", () => {
    expect(fitPadding(1000, 600)).toBe(48);
    expect(fitPadding(160, 600)).toBe(40);
    expect(fitPadding(0, 0)).toBe(0);
  });
});
