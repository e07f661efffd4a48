import { describe, expect, it } from "vitest";

import { driverListQuery, licenceState } from "./api";

describe("licence expiry", () => {
  const on = "2026-03-10";
  it("flags expired and soon-expiring licences", () => {
    expect(licenceState("2026-03-09", on)).toEqual({ state: "expired", days: 1 });
    expect(licenceState("2026-03-10", on)).toEqual({ state: "expiring", days: 0 });
    expect(licenceState("2026-04-09", on)).toEqual({ state: "expiring", days: 30 });
    expect(licenceState("2026-04-10", on)).toEqual({ state: "ok", days: 31 });
    expect(licenceState(null, on)).toEqual({ state: "none" });
  });

  it("asks the API for licences expiring within 30 days (and expired ones)", () => {
    const query = driverListQuery({ licence: "expiring" }, null);
    expect(query.licence_expiring_before).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(driverListQuery({}, "c1")).toMatchObject({ sort: "name", cursor: "c1", limit: 200 });
  });
});
