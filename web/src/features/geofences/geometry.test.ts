import { describe, expect, it } from "vitest";

import {
  circleRing,
  closedRing,
  distanceM,
  fromGeometry,
  moveVertex,
  reasonText,
  removeVertex,
  toGeometry,
  validateDraft,
  type Position,
} from "./geometry";

// A 200 m square in Helsinki (about 0.0036° of longitude and 0.0018° of latitude).
const square: Position[] = [
  [24.94, 60.17],
  [24.9436, 60.17],
  [24.9436, 60.1718],
  [24.94, 60.1718],
];

describe("validateDraft", () => {
  it("takes a simple polygon", () => {
    expect(validateDraft({ shape: "polygon", vertices: square })).toBeNull();
  });

  it("refuses a bow tie with where it crosses", () => {
    const bowTie: Position[] = [square[0]!, square[2]!, square[1]!, square[3]!];
    const problem = validateDraft({ shape: "polygon", vertices: bowTie });
    expect(problem?.reason).toBe("self_intersecting");
    expect(problem?.at?.[0]).toBeCloseTo(24.9418, 4);
    expect(problem?.at?.[1]).toBeCloseTo(60.1709, 4);
    expect(reasonText(problem!.reason)).toBe("the outline crosses itself");
  });

  it("refuses a spike folding back on itself", () => {
    const spike: Position[] = [square[0]!, square[1]!, square[2]!, [24.9436, 60.1709]];
    expect(validateDraft({ shape: "polygon", vertices: spike })?.reason).toBe("self_intersecting");
  });

  it("refuses fewer than 3 distinct points, counting repeats once", () => {
    expect(validateDraft({ shape: "polygon", vertices: [square[0]!, square[1]!, square[1]!, square[0]!] })?.reason).toBe(
      "too_few_points",
    );
  });

  it("refuses a sliver under 25 m² and a shape over 200 km", () => {
    const sliver: Position[] = [
      [24.94, 60.17],
      [24.9401, 60.17],
      [24.94, 60.17001],
    ];
    expect(validateDraft({ shape: "polygon", vertices: sliver })?.reason).toBe("too_small");
    const huge: Position[] = [
      [20, 60],
      [25, 60],
      [25, 62],
    ];
    expect(validateDraft({ shape: "polygon", vertices: huge })?.reason).toBe("too_large");
  });

  it("checks a circle's radius from 5 m to 100 km", () => {
    const center: Position = [24.94, 60.17];
    expect(validateDraft({ shape: "circle", center, radiusM: 4 })?.reason).toBe("radius_out_of_range");
    expect(validateDraft({ shape: "circle", center, radiusM: 5 })).toBeNull();
    expect(validateDraft({ shape: "circle", center, radiusM: 100_000 })).toBeNull();
    expect(validateDraft({ shape: "circle", center, radiusM: 100_001 })?.reason).toBe("radius_out_of_range");
    expect(validateDraft({ shape: "circle", center, radiusM: Number.NaN })?.reason).toBe("radius_out_of_range");
    expect(validateDraft({ shape: "circle", center: [24.94, 86], radiusM: 50 })?.reason).toBe("out_of_range");
  });
});

describe("shapes and the API", () => {
  it("closes a polygon's ring for GeoJSON and reads it back open", () => {
    const { geometry, radius_m } = toGeometry({ shape: "polygon", vertices: square });
    expect(radius_m).toBeNull();
    const ring = (geometry.coordinates as Position[][])[0]!;
    expect(ring).toHaveLength(5);
    expect(ring[4]).toEqual(ring[0]);
    expect(fromGeometry(geometry, null)).toEqual({ shape: "polygon", vertices: square });
    expect(closedRing([...square, square[0]!])).toEqual(ring);
  });

  it("keeps a polygon's holes through the editor and sends them back", () => {
    const hole: Position[] = [
      [24.9405, 60.1705],
      [24.9408, 60.1705],
      [24.9408, 60.1708],
      [24.9405, 60.1705],
    ];
    const stored = { type: "Polygon", coordinates: [closedRing(square), hole] };
    const draft = fromGeometry(stored, null);
    expect(draft).toEqual({ shape: "polygon", vertices: square, holes: [hole.slice(0, 3)] });
    // The outline edited the way the editor does (a spread), the hole still goes back.
    const moved = { ...draft!, vertices: draft!.shape === "polygon" ? draft!.vertices.map(([x, y]) => [x, y + 0.00001] as Position) : [] };
    const sent = toGeometry(moved).geometry.coordinates as Position[][];
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(hole);
  });

  it("sends a circle as its centre and radius", () => {
    const draft = { shape: "circle" as const, center: [24.94, 60.17] as Position, radiusM: 150 };
    const sent = toGeometry(draft);
    expect(sent).toEqual({ geometry: { type: "Point", coordinates: [24.94, 60.17] }, radius_m: 150 });
    expect(fromGeometry(sent.geometry, 150)).toEqual(draft);
  });

  it("draws a circle whose every point is the radius away", () => {
    const ring = circleRing([24.94, 60.17], 300, 16);
    expect(ring).toHaveLength(17);
    for (const p of ring) expect(distanceM([24.94, 60.17], p)).toBeCloseTo(300, 3);
  });

  it("moves and removes vertices", () => {
    const draft = { shape: "polygon" as const, vertices: square };
    const moved = moveVertex(draft, 1, [24.95, 60.17]);
    expect(moved.shape === "polygon" && moved.vertices[1]).toEqual([24.95, 60.17]);
    const removed = removeVertex(draft, 0);
    expect(removed.shape === "polygon" && removed.vertices).toHaveLength(3);
  });
});
