import { queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Tenant = Schemas["TenantRead"];

export function tenantQueryOptions() {
  return queryOptions({
    queryKey: ["tenant"],
    queryFn: () => unwrap(api.GET("/api/v1/tenant")),
    staleTime: 10 * 60_000,
  });
}
