import { describe, expect, it } from "vitest";

import { ApiError } from "@/lib/api/errors";

import { refusal, withVersion } from "./changes";
import type { QueuedChange } from "./types";

const change = {
  attempts: 1,
  maybeSent: false,
  request: { method: "PATCH", path: "/api/v1/vehicles/v1", body: { name: "A", version: 3 } },
} as QueuedChange;

const error = (status: number, code = "x") => new ApiError(status, { code, message: code, details: {} });

describe("what a refusal makes of a change", () => {
  it("retries later when the server is busy or away, and remembers it may have it", () => {
    for (const status of [429, 500, 503]) {
      expect(refusal(change, error(status), true, 0)).toMatchObject({
        step: "stop",
        fields: { status: "pending", maybeSent: false },
      });
    }
    const away = refusal(change, error(0, "network_error"), false, 1000);
    expect(away).toMatchObject({ step: "stop", fields: { maybeSent: true } });
    expect(away.fields.nextAttemptAt).toBeGreaterThan(1000);
  });

  it("asks the person on a 409 (reading the server's copy for a version conflict), fails for good on a 4xx", () => {
    expect(refusal(change, error(409, "version_conflict"), true, 0)).toMatchObject({ step: "conflict", readServer: true });
    expect(refusal(change, error(409, "reservation_overlap"), true, 0)).toMatchObject({ step: "conflict", readServer: false });
    expect(refusal(change, error(403), true, 0)).toMatchObject({ step: "failed", fields: { status: "failed" } });
    expect(refusal(change, error(401), true, 0)).toMatchObject({ step: "unauthenticated", fields: { attempts: 0 } });
  });

  it("moves an edit onto another version, in its body or its If-Match", () => {
    expect(withVersion(change, 7).body).toEqual({ name: "A", version: 7 });
    const remove = { ...change, request: { method: "DELETE", path: "/x", ifMatch: 3 } } as QueuedChange;
    expect(withVersion(remove, 7)).toEqual({ method: "DELETE", path: "/x", ifMatch: 7 });
  });
});
