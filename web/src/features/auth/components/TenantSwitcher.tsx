import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useNavigate } from "react-router";

import { ErrorNotice } from "@/components/Status";

import { meQueryOptions, useSwitchTenant } from "../api";

/** The header's tenant picker: shown only to someone in more than one tenant. */
export function TenantSwitcher() {
  const { data: me } = useQuery(meQueryOptions());
  const switchTenant = useSwitchTenant();
  const navigate = useNavigate();
  const id = useId();
  const memberships = me?.memberships ?? [];
  if (memberships.length < 2) return null;
  const current = memberships.find((m) => m.tenant_id === me?.tenant_id);

  return (
    <div className="tenant-switcher">
      <label htmlFor={id}>Tenant</label>
      <select
        id={id}
        value={current?.slug ?? ""}
        disabled={switchTenant.isPending}
        onChange={(event) =>
          switchTenant.mutate(event.target.value, { onSuccess: () => navigate("/vehicles") })
        }
      >
        {current ? null : <option value="">Choose…</option>}
        {memberships.map((m) => (
          <option key={m.tenant_id} value={m.slug}>
            {m.name}
          </option>
        ))}
      </select>
      {switchTenant.isError ? <ErrorNotice error={switchTenant.error} /> : null}
    </div>
  );
}
