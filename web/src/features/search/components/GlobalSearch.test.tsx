import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import { GlobalSearch } from "./GlobalSearch";

afterEach(() => vi.unstubAllGlobals());

const VAN = "00000000-0000-7000-8000-000000000001";
const DRIVER = "00000000-0000-7000-8000-0000000000d1";

const hit = (type: string, id: string, title: string, matches: unknown[] = []) => ({
  type,
  id,
  title,
  subtitle: type === "vehicle" ? "Ford Transit · 2021 · Helsinki depot" : "",
  score: 0.5,
  matches,
});

function searchApi() {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/search/suggest") {
      return json({ items: [hit("vehicle", VAN, "ABC-123")], completions: ["transit"] });
    }
    if (url.pathname === "/api/v1/search") {
      const model = { field: "model", value: "Transit", highlights: [{ start: 0, end: 7 }] };
      return json({
        items: [hit("driver", DRIVER, "Tessa Transit", [{ field: "name", value: "Tessa Transit", highlights: [{ start: 6, end: 13 }] }]), hit("vehicle", VAN, "ABC-123", [model])],
        next_cursor: null,
        total: 2,
        facets: {},
        types: ["vehicle", "driver"],
        corrections: { trnsit: ["transit"] },
        mode: "all",
      });
    }
    return undefined;
  });
}

function renderBox() {
  return renderAt(
    <>
      <label>
        Notes <input />
      </label>
      <GlobalSearch />
    </>,
  );
}

describe("the global search box", () => {
  it("is focused by / unless typing elsewhere", async () => {
    searchApi();
    renderBox();
    const box = screen.getByRole("combobox", { name: "Find in the fleet" });
    await userEvent.click(screen.getByLabelText("Notes"));
    await userEvent.keyboard("/");
    expect(document.activeElement).toBe(screen.getByLabelText("Notes"));
    expect((screen.getByLabelText("Notes") as HTMLInputElement).value).toBe("/");
    (document.activeElement as HTMLElement).blur();
    await userEvent.keyboard("/");
    expect(document.activeElement).toBe(box);
    expect((box as HTMLInputElement).value).toBe("");
  });

  it("suggests as you type, grouped by type with matches marked; arrows and Enter open the record", async () => {
    const calls = searchApi();
    const { router } = renderBox();
    const box = screen.getByRole("combobox");
    await userEvent.type(box, "trnsit");
    const list = await screen.findByRole("listbox", { name: "Quick find results" });
    const groups = await within(list).findAllByRole("group");
    expect(groups.map((g) => g.getAttribute("aria-label"))).toEqual(["Search for", "Vehicles", "Drivers"]);
    const van = within(groups[1]!).getByRole("option");
    expect(van.textContent).toContain("Ford Transit · 2021 · Helsinki depot");
    expect([...van.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["Transit"]);
    expect([...groups[2]!.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["Transit"]);
    // debounced: one request of each for the whole word, none per letter
    const asked = calls.map((c) => `${new URL(c.url).pathname}?${new URL(c.url).searchParams.get("q")}`);
    expect(asked.filter((a) => a.endsWith("?trnsit"))).toHaveLength(2);
    expect(asked.filter((a) => !a.endsWith("?trnsit"))).toEqual([]);

    expect(box.getAttribute("aria-expanded")).toBe("true");
    await userEvent.keyboard("{ArrowDown}{ArrowDown}");
    const active = box.getAttribute("aria-activedescendant");
    expect(active).toBe(van.id);
    expect(van.getAttribute("aria-selected")).toBe("true");
    await userEvent.keyboard("{Enter}");
    expect(router.state.location.pathname).toBe(`/vehicles/${VAN}`);
    expect(screen.queryByRole("listbox")).toBeNull(); // closed, and empty for the next search
    expect((box as HTMLInputElement).value).toBe("");
  });

  it("opens the results page on Enter with nothing chosen; Escape closes, then clears", async () => {
    searchApi();
    const { router } = renderBox();
    const box = screen.getByRole("combobox") as HTMLInputElement;
    await userEvent.type(box, "ford trnsit");
    await screen.findByRole("listbox");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(box.value).toBe("ford trnsit");
    await userEvent.keyboard("{Escape}");
    expect(box.value).toBe("");
    await userEvent.type(box, "ford trnsit{Enter}");
    expect(router.state.location.pathname + router.state.location.search).toBe("/search?q=ford%20trnsit");
  });

  it("aborts the request of an earlier text", async () => {
    const signals: AbortSignal[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn((request: Request) => {
        signals.push(request.signal);
        // never answers: the next text must abort it
        return new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
      }),
    );
    renderBox();
    const box = screen.getByRole("combobox");
    await userEvent.type(box, "tra");
    await vi.waitFor(() => expect(signals).toHaveLength(2));
    await userEvent.type(box, "nsit");
    await vi.waitFor(() => expect(signals).toHaveLength(4));
    expect(signals.map((s) => s.aborted)).toEqual([true, true, false, false]);
    expect(screen.getByRole("status").textContent).toBe("Searching…");
  });

  it("offline, says search needs a connection and asks nothing", async () => {
    const calls = searchApi();
    const offline = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    try {
      renderBox();
      await userEvent.type(screen.getByRole("combobox"), "transit");
      await act(() => new Promise((done) => setTimeout(done, 300)));
      expect(screen.getByRole("status").textContent).toBe("Search needs a connection.");
      expect(calls).toEqual([]);
    } finally {
      offline.mockRestore();
    }
  });
});
