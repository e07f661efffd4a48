import { describe, expect, it } from "vitest";

import { correctionText, highlightSegments, listHits, rowsForHits, searchQuery, type SearchResults } from "./search";

describe("search helpers", () => {
  it("cuts a value at its highlights, in order, overlaps and out-of-range offsets tamed", () => {
    expect(highlightSegments("Ford Transit", [{ start: 5, end: 12 }])).toEqual([
      ["Ford ", false],
      ["Transit", true],
    ]);
    expect(highlightSegments("Hämeenlinna depot", [{ start: 12, end: 99 }, { start: 0, end: 3 }, { start: 1, end: 4 }])).toEqual([
      ["Häm", true],
      ["e", true],
      ["enlinna ", false],
      ["depot", true],
    ]);
    expect(highlightSegments("ABC-123", [])).toEqual([["ABC-123", false]]);
    expect(highlightSegments("ABC", [{ start: 2, end: 2 }])).toEqual([["ABC", false]]);
  });

  it("sends only what is set, lists comma-separated, filters repeated", () => {
    expect(searchQuery({ q: "  ", types: [], filters: { make: [] } })).toEqual({
      q: undefined,
      types: undefined,
      facets: undefined,
      limit: undefined,
      cursor: undefined,
    });
    expect(searchQuery({ q: " trnsit ", types: ["vehicle"], facets: ["make", "group"], filters: { make: ["Ford", "Volvo"] }, limit: 1 })).toMatchObject({
      q: "trnsit",
      types: "vehicle",
      facets: "make,group",
      make: ["Ford", "Volvo"],
      limit: 1,
    });
  });

  it("words corrections, and keeps the hits' order when loading their records", async () => {
    expect(correctionText({ trnsit: ["transit"], volov: ["volvo", "volov"] })).toBe("“trnsit” as “transit”, “volov” as “volvo” or “volov”");
    expect(correctionText({})).toBeNull();
    const hits = ["b", "a", "c"].map((id) => ({ type: "vehicle", id, title: id, subtitle: "", score: 1, matches: [] }));
    const rows = await rowsForHits(hits, async (ids) => ids.filter((id) => id !== "c").reverse().map((id) => ({ id })));
    expect(rows.map((r) => r.id)).toEqual(["b", "a"]); // "c" left out by a live filter
  });

  it("gives a list only records holding every word", () => {
    const answer = (mode: "all" | "any"): SearchResults => ({
      items: [{ type: "vehicle", id: "v", title: "BT-0001", subtitle: "", score: 0.1, matches: [] }],
      total: 1,
      types: ["vehicle"],
      mode,
    });
    expect(listHits(answer("all")).total).toBe(1);
    expect(listHits(answer("any"))).toEqual({ hits: [], total: 0 }); // "AC-0001" is not BT-0001
  });
});
