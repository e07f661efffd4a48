import { Suspense } from "react";
import { NavLink, Outlet } from "react-router";

import { Loading } from "@/components/Status";
import { OpenAlertsBadge } from "@/features/alerts";
import { AccountMenu, RequireSession, TenantSwitcher } from "@/features/auth";
import { GlobalSearch } from "@/features/search";
import { TenantMark } from "@/features/tenant";
import { useAccess, type Permission, type Role } from "@/lib/access";
import { SyncStatus, UpdateBanner } from "@/lib/offline";

export const NAV_ITEMS = [
  { to: "/", label: "Home" }, // active on "/" alone: NavLink matches the root exactly
  { to: "/map", label: "Map" },
  { to: "/vehicles", label: "Vehicles" },
  { to: "/drivers", label: "Drivers" },
  { to: "/reservations", label: "Reservations" },
  { to: "/maintenance", label: "Maintenance", permission: "maintenance:read" },
  { to: "/inspections", label: "Inspections", permission: "inspections:read" },
  { to: "/my-route", label: "My route", roles: ["driver"] },
  { to: "/dispatch", label: "Dispatch", permission: "dispatch:manage" },
  { to: "/route-plans", label: "Route plans", permission: "route_plans:write" },
  { to: "/alerts", label: "Alerts" },
  { to: "/devices", label: "Devices" },
  { to: "/groups", label: "Groups" },
  { to: "/geofences", label: "Geofences", permission: "geofences:read" },
  { to: "/reports", label: "Reports", permission: "vehicles:read" },
  { to: "/settings", label: "Settings" },
] as const satisfies readonly { to: string; label: string; permission?: Permission; roles?: readonly Role[] }[];

/** The navigation's links, less those the role may not open (inside the session's access). */
function NavItems() {
  const access = useAccess();
  const shown = (item: (typeof NAV_ITEMS)[number]) =>
    (!("permission" in item) || access.can(item.permission)) &&
    (!("roles" in item) || (item.roles as readonly string[]).includes(access.role ?? ""));
  return NAV_ITEMS.filter(shown).map((item) => (
    <li key={item.to}>
      <NavLink to={item.to}>
        {item.label}
        {item.to === "/alerts" ? <OpenAlertsBadge /> : null}
      </NavLink>
    </li>
  ));
}

/** Header, navigation and the page, for a session with a tenant. */
export function AppShell() {
  return (
    <RequireSession>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <TenantMark />
        <nav aria-label="Main">
          <ul>
            <NavItems />
          </ul>
        </nav>
        <div className="header-tools">
          <GlobalSearch />
          <SyncStatus />
          <TenantSwitcher />
          <AccountMenu />
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <UpdateBanner />
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </RequireSession>
  );
}
