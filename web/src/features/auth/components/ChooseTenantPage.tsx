import { useQuery } from "@tanstack/react-query";
import { Navigate } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";

import { meQueryOptions, useLogout, useSwitchTenant } from "../api";

/** A session without a current tenant: pick one, or learn that there is none to pick. */
export function ChooseTenantPage() {
  const { data: me, isPending } = useQuery(meQueryOptions());
  const switchTenant = useSwitchTenant();
  const logout = useLogout();
  if (isPending) return <Loading />;
  if (!me) return <Navigate to="/login" replace />;
  if (me.tenant_id && switchTenant.isIdle) return <Navigate to="/" replace />;
  if (switchTenant.isSuccess) return <Navigate to="/vehicles" replace />;

  return (
    <main id="main" className="login">
      <section className="card login-card" aria-labelledby="choose-title">
        <h1 id="choose-title">Choose a tenant</h1>
        {me.memberships.length === 0 ? (
          <p>Your account is not a member of any tenant yet. Ask an administrator to add you.</p>
        ) : (
          <ul className="plain-list">
            {me.memberships.map((m) => (
              <li key={m.tenant_id}>
                <button
                  type="button"
                  className="button"
                  disabled={switchTenant.isPending}
                  onClick={() => switchTenant.mutate(m.slug)}
                >
                  {m.name} <span className="muted">({m.role})</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {switchTenant.isError ? <ErrorNotice error={switchTenant.error} /> : null}
        <button type="button" className="button-link" onClick={() => logout.mutate()}>
          Sign out
        </button>
      </section>
    </main>
  );
}
