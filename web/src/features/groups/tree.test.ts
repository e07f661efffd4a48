import { describe, expect, it } from "vitest";

import type { Group } from "./api";
import { flatten, groupTree, subtreeIds } from "./tree";

function group(id: string, name: string, parent: string | null = null, kind: Group["kind"] = "depot"): Group {
  return {
    id,
    version: 1,
    name,
    kind,
    parent_id: parent,
    latitude: null,
    longitude: null,
    radius_m: null,
    vehicle_count: 0,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

describe("the groups tree", () => {
  const groups = [
    group("p", "Pasila", "u"),
    group("h", "Helsinki Central", "u"),
    group("u", "Uusimaa", null, "region"),
    group("t", "Night shift", "p", "team"),
    group("x", "Loose team", null, "team"),
  ];

  it("nests depots in their region, each level by name", () => {
    const tree = groupTree(groups);
    expect(tree.map((n) => n.group.name)).toEqual(["Loose team", "Uusimaa"]);
    expect(flatten(tree).map((n) => `${"  ".repeat(n.depth)}${n.group.name}`)).toEqual([
      "Loose team",
      "Uusimaa",
      "  Helsinki Central",
      "  Pasila",
      "    Night shift",
    ]);
  });

  it("shows a group whose parent is missing, or that sits in a loop, at the top and once", () => {
    const tree = groupTree([group("a", "A", "b"), group("b", "B", "a"), group("c", "C", "gone")]);
    expect(flatten(tree).map((n) => n.group.id).sort()).toEqual(["a", "b", "c"]);
  });

  it("knows what a group may not be moved under: itself and its subgroups", () => {
    expect([...subtreeIds(groups, "u")].sort()).toEqual(["h", "p", "t", "u"]);
    expect([...subtreeIds(groups, "t")]).toEqual(["t"]);
  });
});
