import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import { SearchPage } from "./SearchPage";

afterEach(() => vi.unstubAllGlobals());

const id = (n: number) => `00000000-0000-7000-8000-${n.toString().padStart(12, "0")}`;

function resultsApi() {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname !== "/api/v1/search") return undefined;
    const cursor = url.searchParams.get("cursor");
    const start = cursor ? 20 : 0;
    const items = Array.from({ length: cursor ? 5 : 20 }, (_, i) => ({
      type: "vehicle",
      id: id(start + i + 1),
      title: `FT-${start + i + 1}`,
      subtitle: "Ford Transit",
      score: 0.4,
      matches: [{ field: "model", value: "Transit", highlights: [{ start: 0, end: 7 }] }],
    }));
    return json({
      items,
      next_cursor: cursor ? null : "page-2",
      total: 25,
      facets: {
        types: [{ value: "vehicle", label: null, count: 25 }],
        status: [{ value: "in_maintenance", label: null, count: 4 }],
        make: [{ value: "Ford", label: null, count: 25 }],
        group: [{ value: id(99), label: "Helsinki depot", count: 9 }],
      },
      types: ["vehicle", "driver"],
      corrections: { trnsit: ["transit"] },
      mode: "all",
    });
  });
}

describe("the search results page", () => {
  it("lists matches with counts beside them; a facet filters, More follows the cursor", async () => {
    const calls = resultsApi();
    const { router } = renderAt(<SearchPage />, "/search?q=trnsit");
    expect(await screen.findByText(/25 results for “trnsit” · also matched “trnsit” as “transit”/)).toBeTruthy();
    const results = screen.getAllByRole("listitem").filter((li) => li.classList.contains("search-result"));
    expect(results).toHaveLength(20);
    expect(within(results[0]!).getByRole("link", { name: "FT-1" }).getAttribute("href")).toBe(`/vehicles/${id(1)}`);
    expect(results[0]!.querySelector("mark")?.textContent).toBe("Transit");

    const facets = screen.getByRole("region", { name: "Filter results" });
    expect(within(facets).getByRole("button", { name: "Vehicles 25" })).toBeTruthy();
    expect(within(facets).getByRole("button", { name: "In maintenance 4" })).toBeTruthy();
    await userEvent.click(within(facets).getByRole("button", { name: "Helsinki depot 9" }));
    expect(router.state.location.search).toBe(`?q=trnsit&group_id=${id(99)}`);
    await vi.waitFor(() => expect(new URL(calls.at(-1)!.url).searchParams.getAll("group_id")).toEqual([id(99)]));

    await userEvent.click(await screen.findByRole("button", { name: "More results" }));
    await vi.waitFor(() => expect(screen.getAllByRole("link", { name: /^FT-/ })).toHaveLength(25));
    expect(new URL(calls.at(-1)!.url).searchParams.get("cursor")).toBe("page-2");
    expect(screen.queryByRole("button", { name: "More results" })).toBeNull();
  }, 15_000); // a busy machine: 25 results rendered twice

  it("offline, says search needs a connection", async () => {
    const calls = resultsApi();
    const offline = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    try {
      renderAt(<SearchPage />, "/search?q=trnsit");
      expect((await screen.findByRole("status")).textContent).toContain("Search needs a connection.");
      expect(calls).toEqual([]);
    } finally {
      offline.mockRestore();
    }
  });
});
