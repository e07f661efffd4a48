import { describe, expect, it } from "vitest";

import { changedFields } from "./changes";

describe("changedFields", () => {
  it("keeps only what changed, with the version", () => {
    const before = { name: "Ada", phone: "+358401234567", notes: null as string | null };
    const after = { name: "Ada L.", phone: "+358401234567", notes: "nights" };
    expect(changedFields(before, after, 7)).toEqual({ version: 7, name: "Ada L.", notes: "nights" });
  });

  it("is just the version when nothing changed", () => {
    const body = { plate: "ABC-123", tags: "x" };
    expect(changedFields(body, { ...body }, 3)).toEqual({ version: 3 });
  });
});
