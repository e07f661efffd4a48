import { vi } from "vitest";

/**
 * jsdom lays nothing out: give the virtual lists' scrolling boxes (`.table-scroll`) the size
 * of a small laptop screen so their rows render. Call in a `beforeEach`.
 */
export function sizeScrollers(height = 600, width = 1024): void {
  const size = (name: "clientHeight" | "clientWidth", px: number) =>
    vi.spyOn(HTMLElement.prototype, name, "get").mockImplementation(function (this: HTMLElement) {
      return this.classList.contains("table-scroll") ? px : 0;
    });
  size("clientHeight", height);
  size("clientWidth", width);
}
