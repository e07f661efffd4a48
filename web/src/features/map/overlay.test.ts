import { describe, expect, it } from "vitest";

import {
  CLUSTER_MAX_ZOOM,
  clusterRadius,
  drawMarks,
  hitTest,
  markVehicles,
  placeMarks,
  worldX,
  worldY,
  type Canvas2D,
  type OverlayVehicle,
  type PlacedMark,
  type Project,
} from "./overlay";
import { STATUS_STYLE, type VehicleStatus } from "./status";

function vehicle(id: string, lng: number, lat: number, status: VehicleStatus = "moving", course: number | null = 90) {
  return { id, lng, lat, label: `P-${id}`, status, course } satisfies OverlayVehicle;
}

/** Web Mercator pixels of a map at `zoom` centred on (lng0, lat0), `width` × `height` CSS px (as map.project). */
function projector(lng0: number, lat0: number, zoom: number, width: number, height: number): Project {
  const scale = 512 * 2 ** zoom;
  return (lng, lat) => ({
    x: (worldX(lng) - worldX(lng0)) * scale + width / 2,
    y: (worldY(lat) - worldY(lat0)) * scale + height / 2,
  });
}

/** A canvas context that records what is drawn. */
function recorder() {
  const calls: string[] = [];
  const state: Record<string, unknown> = {};
  const ctx = new Proxy(state, {
    get(target, key: string) {
      if (key in target) return target[key];
      return (...args: unknown[]) => {
        const style = key === "fill" ? target.fillStyle : key === "stroke" ? target.strokeStyle : undefined;
        calls.push(`${key}(${args.map((a) => (typeof a === "number" ? Math.round(a * 10) / 10 : a)).join(",")})${style ? ` ${style as string}` : ""}`);
      };
    },
    set(target, key: string, value) {
      target[key] = value;
      return true;
    },
  }) as unknown as Canvas2D;
  return { ctx, calls };
}

describe("the marks the overlay draws", () => {
  const near = [vehicle("a", 24.94, 60.17), vehicle("b", 24.9401, 60.1701), vehicle("c", 24.99, 60.2, "alert")];

  it("clusters vehicles within the radius when zoomed out, alerts counted", () => {
    const marks = markVehicles([...near, vehicle("d", 24.9402, 60.17, "alert")], 12);
    expect(marks).toHaveLength(2);
    const [cluster, alone] = marks;
    expect(cluster).toMatchObject({ kind: "cluster", id: "a", alerts: 1 });
    expect(cluster?.kind === "cluster" && cluster.members.map((m) => m.id)).toEqual(["a", "b", "d"]);
    expect(alone).toMatchObject({ kind: "vehicle", lng: 24.99, lat: 60.2 });
    // the cluster sits at its members' mean position
    expect(cluster?.lng).toBeCloseTo((24.94 + 24.9401 + 24.9402) / 3, 8);
  });

  it("draws one dot per vehicle beyond the clustering zoom", () => {
    const marks = markVehicles(near, CLUSTER_MAX_ZOOM + 0.5);
    expect(marks.map((m) => m.kind)).toEqual(["vehicle", "vehicle", "vehicle"]);
  });

  it("groups by the whole zoom: the same marks at 12.1 and 12.9, a pan changes nothing", () => {
    const fleet = Array.from({ length: 200 }, (_, n) => vehicle(`v${n}`, 24.9 + (n % 20) * 0.004, 60.15 + Math.floor(n / 20) * 0.003));
    const ids = (zoom: number) => markVehicles(fleet, zoom).map((m) => (m.kind === "cluster" ? `${m.id}+${m.members.length}` : m.vehicle.id));
    expect(ids(12.1)).toEqual(ids(12.9));
    expect(ids(11)).not.toEqual(ids(12));
    // every vehicle is in exactly one mark
    const counted = markVehicles(fleet, 11).reduce((sum, m) => sum + (m.kind === "cluster" ? m.members.length : 1), 0);
    expect(counted).toBe(200);
  });

  it("keeps a cluster's members within the radius of its first vehicle", () => {
    const line = Array.from({ length: 10 }, (_, n) => vehicle(`v${n}`, 24.9 + n * 0.0005, 60.17));
    const zoom = 13;
    const scale = 512 * 2 ** zoom;
    for (const mark of markVehicles(line, zoom)) {
      if (mark.kind !== "cluster") continue;
      const first = mark.members[0] as OverlayVehicle;
      for (const member of mark.members) {
        expect(Math.abs(worldX(member.lng) - worldX(first.lng)) * scale).toBeLessThanOrEqual(48);
      }
    }
  });
});

describe("placing and hitting marks", () => {
  const width = 800;
  const height = 600;
  const project = projector(24.94, 60.17, 16, width, height);

  it("projects marks to pixels, leaves out those far off screen, puts dots above clusters", () => {
    const marks = markVehicles([vehicle("a", 24.94, 60.17), vehicle("far", 25.5, 60.5)], 16);
    const placed = placeMarks(marks, project, width, height);
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ x: 400, y: 300, radius: 7 });

    const mixed = placeMarks(
      [...markVehicles([vehicle("b", 24.9401, 60.17, "alert")], 16), ...markVehicles([vehicle("c", 24.94, 60.17), vehicle("d", 24.94, 60.17)], 10)],
      project,
      width,
      height,
    );
    expect(mixed.map((m) => m.kind)).toEqual(["cluster", "vehicle"]);
    expect(mixed.map((m) => m.radius)).toEqual([clusterRadius(2), 8]);
  });

  it("hits the topmost mark under the pointer, within a few pixels of its edge", () => {
    const placed = placeMarks(
      markVehicles([vehicle("under", 24.94, 60.17), vehicle("over", 24.94001, 60.17)], 18),
      project,
      width,
      height,
    );
    const over = placed[1] as PlacedMark;
    expect(hitTest(placed, over.x, over.y)).toBe(over);
    expect(hitTest(placed, over.x + 7 + 3, over.y)?.kind).toBe("vehicle");
    expect(hitTest(placed, over.x + 7 + 6, over.y)).toBeNull();
    expect(hitTest(placed, 10, 10)).toBeNull();
  });

  it("sizes clusters by how many they hold", () => {
    expect([2, 10, 100, 1000].map(clusterRadius)).toEqual([14, 18, 24, 30]);
  });
});

describe("drawing", () => {
  it("scales for the screen density, then draws clusters, dots in status colours, heading, ring and name", () => {
    const { ctx, calls } = recorder();
    const placed: PlacedMark[] = [
      { kind: "cluster", id: "c1", lng: 0, lat: 0, members: [vehicle("x", 0, 0, "alert"), vehicle("y", 0, 0)], alerts: 1, x: 50, y: 50, radius: 14 },
      { kind: "vehicle", vehicle: vehicle("a", 0, 0, "moving", 90), lng: 0, lat: 0, x: 100, y: 100, radius: 7 },
      { kind: "vehicle", vehicle: vehicle("p", 0, 0, "parked", 0), lng: 0, lat: 0, x: 200, y: 100, radius: 7 },
    ];
    drawMarks(ctx, placed, { width: 400, height: 300, pixelRatio: 2, selected: { id: "a", x: 100, y: 100 }, hovered: null });
    expect(calls[0]).toBe("setTransform(2,0,0,2,0,0)");
    expect(calls[1]).toBe("clearRect(0,0,400,300)");
    expect(calls).toContain("arc(50,50,14,0,6.3)");
    expect(calls).toContain("stroke() #b91c1c"); // the cluster holds an alert: red ring
    expect(calls).toContain("fillText(2,50,50.5)");
    expect(calls).toContain(`fill() ${STATUS_STYLE.moving.color}`);
    expect(calls).toContain(`fill() ${STATUS_STYLE.parked.color}`);
    // moving east: the arrowhead's tip 13 px right of the dot's centre; a parked one has none
    expect(calls).toContain("moveTo(113,100)");
    expect(calls.filter((c) => c.startsWith("moveTo"))).toHaveLength(1);
    expect(calls).toContain("arc(100,100,14,0,6.3)"); // the selected ring
    expect(calls).toContain("fillText(P-a,119,100)"); // and its name
    expect(calls.some((c) => c.startsWith("fillText(P-p"))).toBe(false);
  });

  it("names the hovered vehicle", () => {
    const { ctx, calls } = recorder();
    const placed: PlacedMark[] = [
      { kind: "vehicle", vehicle: vehicle("h", 0, 0, "idle"), lng: 0, lat: 0, x: 10, y: 20, radius: 7 },
    ];
    drawMarks(ctx, placed, { width: 100, height: 100, pixelRatio: 1, selected: null, hovered: "h" });
    expect(calls).toContain("fillText(P-h,29,20)");
  });
});
