import { describe, expect, it } from "vitest";

import { ApiError } from "./api";
import { fieldErrors, isVersionConflict } from "./formErrors";

describe("field errors from the envelope", () => {
  it("maps a 422's locations to body fields", () => {
    const error = new ApiError(422, {
      code: "validation_failed",
      message: "The request is not valid.",
      details: {
        errors: [
          { loc: ["body", "phone"], msg: "Value error, a phone number is digits", type: "value_error" },
          { loc: ["query", "limit"], msg: "too big", type: "x" },
        ],
      },
    });
    expect(fieldErrors(error)).toEqual({ phone: "A phone number is digits" });
  });

  it("takes details.field of a conflict, and knows a version conflict", () => {
    const error = new ApiError(409, {
      code: "already_exists",
      message: "This user is already a member.",
      details: { field: "email" },
    });
    expect(fieldErrors(error)).toEqual({ email: "This user is already a member." });
    expect(isVersionConflict(error)).toBe(false);
    expect(isVersionConflict(new ApiError(409, { code: "version_conflict", message: "x", details: {} }))).toBe(true);
    expect(fieldErrors(new Error("boom"))).toEqual({});
  });
});
