import { describe, expect, it } from "vitest";

import { can, canGrant, PERMISSIONS, ROLES } from "./access";
import table from "./roles.json";

describe("the role table", () => {
  it("names every permission the server's table does", () => {
    expect([...PERMISSIONS].sort()).toEqual([...table.permissions].sort());
    for (const permissions of Object.values(table.roles)) {
      for (const permission of permissions) expect(PERMISSIONS).toContain(permission);
    }
  });

  it("answers per role, and nothing for no role", () => {
    expect(can("viewer", "drivers:read")).toBe(true);
    expect(can("viewer", "drivers:write")).toBe(false);
    expect(can("dispatcher", "alerts:acknowledge")).toBe(true);
    expect(can(null, "drivers:read")).toBe(false);
    expect(can("pirate", "drivers:read")).toBe(false);
  });

  it("never grants above one's own role", () => {
    expect(ROLES[0]).toBe("owner");
    expect(canGrant("admin", "owner")).toBe(false);
    expect(canGrant("admin", "admin")).toBe(true);
    expect(canGrant("fleet_manager", "viewer")).toBe(true);
    expect(canGrant(null, "viewer")).toBe(false);
  });
});
