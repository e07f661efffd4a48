import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Member = Schemas["Member"];
export type MemberCreate = Schemas["MemberCreate"];
export type RoleName = Schemas["Role"];
export type ApiKey = Schemas["ApiKeyRead"];
export type ApiKeyCreate = Schemas["ApiKeyCreate"];
export type ApiKeyCreated = Schemas["ApiKeyCreated"];
export type Tenant = Schemas["TenantRead"];
export type TenantUpdate = Schemas["TenantUpdate"];

const membersKey = ["members"] as const;
const apiKeysKey = ["api-keys"] as const;
/**
 * The tenant feature's key for the same record: the header's logo, name and colour read it,
 * so a saved branding shows across the app at once.
 */
const tenantKey = ["tenant"] as const;

export function membersQueryOptions() {
  return queryOptions({
    queryKey: membersKey,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/members", { signal })),
  });
}

export function apiKeysQueryOptions() {
  return queryOptions({
    queryKey: apiKeysKey,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/api-keys", { signal })),
  });
}

export function tenantQueryOptions() {
  return queryOptions({
    queryKey: tenantKey,
    queryFn: () => unwrap(api.GET("/api/v1/tenant")),
    staleTime: 10 * 60_000,
  });
}

/** Add an existing user by email, or create one (a password is then needed). */
export function useAddMember() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: MemberCreate) => unwrap(api.POST("/api/v1/members", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: membersKey }),
  });
}

/** 409 `conflict` (`details.reason: last_owner`) when it would leave the tenant without an owner. */
export function useChangeMemberRole() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: RoleName }) =>
      unwrap(
        api.PATCH("/api/v1/members/{user_id}", { params: { path: { user_id: userId } }, body: { role } }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: membersKey }),
  });
}

export function useRemoveMember() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.DELETE("/api/v1/members/{user_id}", { params: { path: { user_id: userId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: membersKey }),
  });
}

/** The answer carries `key`, the only time the key itself is ever shown. */
export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiKeyCreate) => unwrap(api.POST("/api/v1/api-keys", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeysKey }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) =>
      unwrap(api.DELETE("/api/v1/api-keys/{key_id}", { params: { path: { key_id: keyId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeysKey }),
  });
}

export function useUpdateTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TenantUpdate) => unwrap(api.PATCH("/api/v1/tenant", { body })),
    onSuccess: (tenant) => client.setQueryData(tenantKey, tenant),
  });
}
