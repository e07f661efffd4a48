import { describe, expect, it } from "vitest";

import { contrast, parseHex, readableOn, readableOnWhite } from "./color";

describe("colours", () => {
  it("parses #rrggbb only", () => {
    expect(parseHex("#0f5132")).toEqual([15, 81, 50]);
    expect(parseHex("red")).toBeNull();
    expect(parseHex("#fff")).toBeNull();
    expect(parseHex(null)).toBeNull();
  });

  it("measures WCAG contrast", () => {
    expect(contrast([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 0);
    expect(contrast([255, 255, 255], [255, 255, 255])).toBe(1);
  });

  it("picks the readable ink for a background", () => {
    expect(readableOn([15, 81, 50])).toBe("#ffffff");
    expect(readableOn([253, 224, 71])).toBe("#111827");
    expect(readableOnWhite([253, 224, 71])).toBe(false);
    expect(readableOnWhite([29, 78, 216])).toBe(true);
  });
});
