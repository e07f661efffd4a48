import { Suspense } from "react";
import { NavLink, Outlet } from "react-router";

import { Loading } from "@/components/Status";
import { OpenAlertsBadge } from "@/features/alerts";
import { AccountMenu, RequireSession, TenantSwitcher } from "@/features/auth";
import { TenantMark } from "@/features/tenant";
import { SyncStatus, UpdateBanner } from "@/lib/offline";

export const NAV_ITEMS = [
  { to: "/", label: "Home" }, // active on "/" alone: NavLink matches the root exactly
  { to: "/map", label: "Map" },
  { to: "/vehicles", label: "Vehicles" },
  { to: "/drivers", label: "Drivers" },
  { to: "/reservations", label: "Reservations" },
  { to: "/alerts", label: "Alerts" },
  { to: "/devices", label: "Devices" },
  { to: "/groups", label: "Groups" },
  { to: "/settings", label: "Settings" },
] as const;

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
            {NAV_ITEMS.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>
                  {item.label}
                  {item.to === "/alerts" ? <OpenAlertsBadge /> : null}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-tools">
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
