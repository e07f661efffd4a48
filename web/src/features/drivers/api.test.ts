import { describe, expect, it } from "vitest";

import { driverListQuery, driverListSearches, driverMatchesOffline, licenceState, sortDrivers, type Driver } from "./api";

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
    const query = driverListQuery({ licence: "expiring", facets: {} }, null);
    expect(query.licence_expiring_before).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(driverListQuery({ facets: {} }, "c1")).toMatchObject({ sort: "name", cursor: "c1", limit: 200 });
  });
});

const GROUP = "00000000-0000-7000-8000-0000000000a1";

function driver(fields: Partial<Driver>): Driver {
  return {
    id: "d",
    version: 1,
    name: "Ada",
    email: null,
    phone: null,
    licence_number: null,
    licence_class: null,
    licence_expiry: null,
    status: "active",
    assigned_vehicle_id: null,
    group_id: null,
    user_id: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...fields,
  };
}

describe("the drivers list and search", () => {
  it("asks the drivers endpoint for one status and one group, search for the rest", () => {
    const plain = { facets: { status: ["suspended"], group_id: [GROUP] } };
    expect(driverListSearches(plain)).toBe(false);
    expect(driverListQuery(plain, null)).toMatchObject({ status: "suspended", group_id: GROUP });
    expect(driverListSearches({ q: "ada", facets: {} })).toBe(true);
    expect(driverListSearches({ facets: { status: ["active", "inactive"] } })).toBe(true);
    expect(driverListSearches({ facets: { depot: [GROUP] } })).toBe(true);
    expect(driverListSearches({ facets: { status: ["nonsense"] } })).toBe(true); // search says none
  });

  it("filters saved rows offline by every word and the chosen values, accents folded", () => {
    const astrom = driver({ name: "Åsa Åström", licence_number: "FI-123", group_id: GROUP });
    expect(driverMatchesOffline(astrom, { q: "asa astrom", facets: {} })).toBe(true);
    expect(driverMatchesOffline(astrom, { q: "fi-123", facets: { group_id: [GROUP] } })).toBe(true);
    expect(driverMatchesOffline(astrom, { q: "asa", facets: { status: ["inactive"] } })).toBe(false);
    expect(driverMatchesOffline(astrom, { q: "bob", facets: {} })).toBe(false);
  });

  it("sorts search hits by name or licence expiry, none last", () => {
    const rows = [
      driver({ id: "1", name: "Cy", licence_expiry: null }),
      driver({ id: "2", name: "ada", licence_expiry: "2027-01-01" }),
      driver({ id: "3", name: "Bo", licence_expiry: "2026-01-01" }),
    ];
    expect(sortDrivers(rows, "name").map((d) => d.id)).toEqual(["2", "3", "1"]);
    expect(sortDrivers(rows, "-licence_expiry").map((d) => d.id)).toEqual(["2", "3", "1"]);
    expect(sortDrivers(rows, "").map((d) => d.id)).toEqual(["1", "2", "3"]); // best match first
  });
});
