import { describe, expect, it } from "vitest";

import { brandVariables } from "./branding";

describe("tenant branding", () => {
  it("gives a dark brand white ink and uses it for links", () => {
    expect(brandVariables("#0f5132")).toEqual({
      "--brand": "#0f5132",
      "--brand-ink": "#ffffff",
      "--brand-text": "#0f5132",
    });
  });

  it("keeps a pale brand off text on white pages", () => {
    const variables = brandVariables("#fde047");
    expect(variables?.["--brand-ink"]).toBe("#111827");
    expect(variables?.["--brand-text"]).toBe("var(--accent-default)");
  });

  it("ignores a missing or malformed colour", () => {
    expect(brandVariables(null)).toBeNull();
    expect(brandVariables("blue")).toBeNull();
  });
});
