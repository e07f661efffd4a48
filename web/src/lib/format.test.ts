import { describe, expect, it } from "vitest";

import { formatSpeed } from "./format";

describe("formatSpeed", () => {
  it("shows whole km/h, never a fraction or a negative", () => {
    expect(formatSpeed(42.6)).toBe("43 km/h");
    expect(formatSpeed(0.4)).toBe("0 km/h");
    expect(formatSpeed(-2)).toBe("0 km/h");
    expect(formatSpeed(null)).toBe("—");
    expect(formatSpeed(Number.NaN)).toBe("—");
  });
});
