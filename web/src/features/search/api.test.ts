import { describe, expect, it } from "vitest";

import { boxGroups, queryText, recordHref, resultsHref } from "./api";

const hit = (type: string, id: string) => ({ type, id, title: id, subtitle: "", score: 1, matches: [] });

describe("the search box's choices", () => {
  it("groups records by type in a fixed order, suggestions first, each record once", () => {
    const groups = boxGroups(
      "tra",
      { items: [hit("driver", "d1"), hit("vehicle", "v1")], completions: ["tra", "transit", "trafic"] },
      { items: [hit("alert", "a1"), hit("vehicle", "v2"), hit("vehicle", "v1"), hit("work_order", "w1")] },
    );
    expect(groups.map((g) => [g.label, g.options.map((o) => (o.kind === "record" ? o.id : o.text))])).toEqual([
      ["Search for", ["transit", "trafic"]], // the typed text itself is not offered again
      ["Vehicles", ["v1", "v2"]],
      ["Drivers", ["d1"]],
      ["Alerts", ["a1"]],
      ["Work order", ["w1"]], // a type this screen doesn't know yet still shows, last
    ]);
    expect(boxGroups("x", undefined, undefined)).toEqual([]);
  });

  it("opens records where they live, and anything else on the results page", () => {
    expect(recordHref("vehicle", "v1")).toBe("/vehicles/v1");
    expect(recordHref("integration", "i1")).toBe("/settings/integrations");
    expect(recordHref("work_order", "w1")).toBe("/search?q=w1");
    expect(recordHref("route_plan", "p1")).toBe("/route-plans/p1");
    expect(resultsHref(" ford trnsit ")).toBe("/search?q=ford%20trnsit");
    expect(queryText(`  ${"x".repeat(300)}`)).toHaveLength(200);
  });
});
