import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { api, rememberCsrfToken, unwrap, type Schemas } from "@/lib/api";
import { isApiError } from "@/lib/api";
import { clearTenantData, SESSION_SCOPE } from "@/lib/query";

export type Me = Schemas["Me"];
export type Membership = Schemas["TenantMembership"];
export type LoginRequest = Schemas["LoginRequest"];

export const meKey = [SESSION_SCOPE, "me"] as const;

/** Who is logged in; `null` when nobody is (a 401 is an answer here, not an error). */
export function meQueryOptions() {
  return queryOptions({
    queryKey: meKey,
    queryFn: async (): Promise<Me | null> => {
      try {
        return await unwrap(api.GET("/api/v1/auth/me"));
      } catch (error) {
        if (isApiError(error) && error.isUnauthenticated) return null;
        throw error;
      }
    },
    staleTime: 5 * 60_000,
  });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => unwrap(api.POST("/api/v1/auth/login", { body })),
    onSuccess: ({ csrf_token, ...me }) => {
      rememberCsrfToken(csrf_token);
      client.setQueryData(meKey, me);
      void clearTenantData(client);
    },
  });
}

export function useSwitchTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (tenant: string) =>
      unwrap(api.POST("/api/v1/auth/switch", { body: { tenant } })),
    onSuccess: (me) => {
      // Nothing of the previous tenant may stay on screen or in the cache.
      client.setQueryData(meKey, me);
      void clearTenantData(client);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/logout")),
    onSettled: () => {
      rememberCsrfToken(null);
      client.clear();
      client.setQueryData(meKey, null);
    },
  });
}
