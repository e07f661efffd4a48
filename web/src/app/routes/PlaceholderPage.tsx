import { useLocation } from "react-router";

import { NAV_ITEMS } from "./AppShell";

/** A screen that a later phase builds. */
export function PlaceholderPage() {
  const { pathname } = useLocation();
  const item = NAV_ITEMS.find((nav) => pathname.startsWith(nav.to));
  const title = item?.label ?? "Coming soon";
  return (
    <>
      <h1>{title}</h1>
      <p>This screen is coming in a later release of the Fleetyard web app.</p>
    </>
  );
}

export function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
    </>
  );
}
