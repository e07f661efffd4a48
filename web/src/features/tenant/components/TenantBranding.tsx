import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { tenantQueryOptions } from "../api";
import { brandVariables } from "../branding";

/** Applies the tenant's colour to the whole app as CSS variables on <html>. */
export function useTenantBranding(): void {
  const { data: tenant } = useQuery(tenantQueryOptions());
  const color = tenant?.branding.primary_color;
  useEffect(() => {
    const variables = brandVariables(color);
    if (!variables) return undefined;
    const root = document.documentElement;
    for (const [name, value] of Object.entries(variables)) root.style.setProperty(name, value);
    return () => {
      for (const name of Object.keys(variables)) root.style.removeProperty(name);
    };
  }, [color]);
}

/** The tenant's logo and name (the name alone when there is no logo or it fails to load). */
export function TenantMark() {
  const { data: tenant } = useQuery(tenantQueryOptions());
  const [broken, setBroken] = useState<string | null>(null);
  useTenantBranding();
  if (!tenant) return <span className="tenant-mark">Fleetyard</span>;
  const logo = tenant.branding.logo_url;
  return (
    <span className="tenant-mark">
      {logo && broken !== logo ? (
        <img
          src={logo}
          alt=""
          className="tenant-logo"
          referrerPolicy="no-referrer"
          onError={() => setBroken(logo)}
        />
      ) : null}
      <span>{tenant.name}</span>
    </span>
  );
}
