import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { AccessProvider } from "@/lib/access";

import { meQueryOptions } from "../api";

/**
 * Children only for a session with a current tenant; others go to login or the picker.
 * The children learn the session's role and user (`useAccess`) to hide what it can't do.
 */
export function RequireSession({ children }: { children: ReactNode }) {
  const { data: me, isPending, error } = useQuery(meQueryOptions());
  const location = useLocation();
  if (isPending) return <Loading label="Checking your session…" />;
  // A failed re-check keeps the session seen before (the network may just be down).
  if (error && !me) return <ErrorNotice error={error} title="Can't check your session." />;
  if (!me) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  if (!me.tenant_id) return <Navigate to="/choose-tenant" replace />;
  return (
    <AccessProvider role={me.role} userId={me.user_id}>
      {children}
    </AccessProvider>
  );
}
