import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { Legend, NARROW_SCREEN } from "./Legend";

function screenWidth(narrow: boolean) {
  vi.stubGlobal("matchMedia", (query: string) => ({ matches: narrow && query === NARROW_SCREEN, media: query }));
}

const toggle = () => screen.getByRole("button", { name: "Legend" });
const items = () => screen.queryByRole("list");

describe("the map's legend", () => {
  beforeEach(() => window.localStorage.clear());

  it("starts open on a wide screen and folds away", async () => {
    screenWidth(false);
    render(<Legend />);
    expect(toggle().getAttribute("aria-expanded")).toBe("true");
    expect(items()).not.toBeNull();
    expect(screen.getByText("Moving")).toBeTruthy();
    await userEvent.click(toggle());
    expect(toggle().getAttribute("aria-expanded")).toBe("false");
    expect(items()).toBeNull(); // hidden: out of the accessibility tree
    expect(toggle().getAttribute("aria-controls")).toBe(document.querySelector(".map-legend-items")?.id);
  });

  it("starts folded on a narrow screen", async () => {
    screenWidth(true);
    render(<Legend />);
    expect(toggle().getAttribute("aria-expanded")).toBe("false");
    await userEvent.click(toggle());
    expect(toggle().getAttribute("aria-expanded")).toBe("true");
    expect(items()).not.toBeNull();
  });

  it("remembers how it was left", async () => {
    screenWidth(false);
    const first = render(<Legend />);
    await userEvent.click(toggle());
    first.unmount();
    render(<Legend />);
    expect(toggle().getAttribute("aria-expanded")).toBe("false"); // folded, though the screen is wide
    await userEvent.click(toggle());
    expect(window.localStorage.getItem("fleetyard.map.legend")).toBe("open");
  });
});
