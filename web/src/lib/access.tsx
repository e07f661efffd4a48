import { createContext, useContext, useMemo, type ReactNode } from "react";

import table from "./roles.json";

/**
 * What the signed-in person's role lets them do, so screens hide or disable what would only
 * earn a 403. The server stays the judge: every screen still shows its 403 gracefully.
 *
 * `roles.json` mirrors the server's permission table (src/fleetyard/auth/roles.py);
 * tests/web/test_roles_table.py fails when the two drift apart.
 */
export const PERMISSIONS = [
  "tenant:read",
  "tenant:manage",
  "members:read",
  "members:manage",
  "api_keys:manage",
  "events:read",
  "groups:read",
  "groups:write",
  "vehicles:read",
  "vehicles:create",
  "vehicles:update",
  "vehicles:delete",
  "drivers:read",
  "drivers:write",
  "devices:read",
  "devices:write",
  "reservations:read",
  "reservations:write",
  "alerts:acknowledge",
  "webhooks:manage",
  "integrations:manage",
  "geofences:read",
  "geofences:manage",
  "maintenance:read",
  "maintenance:write",
  "inspections:read",
  "inspections:submit",
  "inspections:manage",
  "dispatch:read",
  "dispatch:manage",
  "dispatch:drive",
  "route_plans:read",
  "route_plans:write",
] as const;

export type Permission = (typeof PERMISSIONS)[number];
export type Role = keyof typeof table.roles;

/** Every role, highest first. */
export const ROLES = Object.keys(table.rank) as Role[];

export function isRole(value: string | null | undefined): value is Role {
  return typeof value === "string" && value in table.roles;
}

export function can(role: string | null | undefined, permission: Permission): boolean {
  return isRole(role) && (table.roles[role] as string[]).includes(permission);
}

/** Whether `granter` may hand out `role` (to a member or an API key): never above its own. */
export function canGrant(granter: string | null | undefined, role: string): boolean {
  return isRole(granter) && isRole(role) && table.rank[granter] >= table.rank[role];
}

interface Session {
  role: string | null;
  userId: string | null;
}

const AccessContext = createContext<Session>({ role: null, userId: null });

/** Given by the app shell from `GET /api/v1/auth/me`. */
export function AccessProvider({
  role,
  userId,
  children,
}: {
  role: string | null | undefined;
  userId: string | null | undefined;
  children: ReactNode;
}) {
  const value = useMemo(() => ({ role: role ?? null, userId: userId ?? null }), [role, userId]);
  return <AccessContext.Provider value={value}>{children}</AccessContext.Provider>;
}

export interface Access extends Session {
  can: (permission: Permission) => boolean;
  canGrant: (role: string) => boolean;
  /** The roles this person may hand out, highest first. */
  grantable: Role[];
}

export function useAccess(): Access {
  const session = useContext(AccessContext);
  return useMemo(
    () => ({
      ...session,
      can: (permission: Permission) => can(session.role, permission),
      canGrant: (role: string) => canGrant(session.role, role),
      grantable: ROLES.filter((role) => canGrant(session.role, role)),
    }),
    [session],
  );
}
