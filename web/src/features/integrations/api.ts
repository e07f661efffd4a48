/**
 * Integrations (`/api/v1/integrations`, owner and admin: `integrations:manage`) through the
 * generated client: a tenant's telematics clouds and MQTT brokers, what the runner last saw of
 * each, and the vendor's vehicles with the ones of ours they are matched to.
 */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Integration = Schemas["Integration"];
export type IntegrationStatus = Schemas["IntegrationStatus"];
export type IntegrationCheck = Schemas["IntegrationCheck"];
export type IntegrationVehicle = Schemas["IntegrationVehicle"];
export type ConnectionState = Schemas["ConnectionState"];
export type ProviderName = Schemas["ProviderName"];
export type ProblemKind = Schemas["ProblemKind"];
export type Document = Record<string, unknown>;

export interface IntegrationCreate {
  provider: ProviderName;
  name: string;
  settings: Document;
  credentials: Document;
  paused: boolean;
}

/** Only the fields sent change; `credentials` replaces all of them. */
export interface IntegrationUpdate {
  version: number;
  name?: string;
  settings?: Document;
  credentials?: Document;
  paused?: boolean;
}

/** How often the list asks again: the runner's state, lag and counts change by the poll. */
export const STATUS_REFRESH_MS = 5_000;
const VEHICLES_REFRESH_MS = 10_000;
const LIST_LIMIT = 100; // the server allows 50 connections a tenant

const integrationsKey = ["integrations"] as const;
const listKey = [...integrationsKey, "list"] as const;
const vehiclesKey = (id: string) => [...integrationsKey, "vehicles", id] as const;

export function integrationsQueryOptions() {
  return queryOptions({
    queryKey: listKey,
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/v1/integrations", { params: { query: { limit: LIST_LIMIT } }, signal })))
        .items,
    refetchInterval: STATUS_REFRESH_MS,
    staleTime: 0,
  });
}

export function integrationVehiclesQueryOptions(integrationId: string, unmatchedOnly: boolean) {
  return queryOptions({
    queryKey: [...vehiclesKey(integrationId), unmatchedOnly ? "unmatched" : "all"],
    queryFn: async ({ signal }) =>
      unwrap(
        api.GET("/api/v1/integrations/{integration_id}/vehicles", {
          params: {
            path: { integration_id: integrationId },
            query: { unmatched: unmatchedOnly, limit: 500 },
          },
          signal,
        }),
      ),
    refetchInterval: VEHICLES_REFRESH_MS,
    staleTime: 0,
  });
}

export function useCreateIntegration() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: IntegrationCreate) => unwrap(api.POST("/api/v1/integrations", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

/** `body.version` guards against lost updates: a newer one answers 409 `version_conflict`. */
export function useUpdateIntegration() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: IntegrationUpdate }) =>
      unwrap(
        api.PATCH("/api/v1/integrations/{integration_id}", {
          params: { path: { integration_id: id } },
          body,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

export function useDeleteIntegration() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version }: { id: string; version: number }) =>
      unwrap(
        api.DELETE("/api/v1/integrations/{integration_id}", {
          params: { path: { integration_id: id }, header: { "If-Match": `"${version}"` } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
}

/** Asks the vendor with the stored credentials; always answers (ok, or the problem in words). */
export function useTestIntegration() {
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/v1/integrations/{integration_id}/test", {
          params: { path: { integration_id: id } },
        }),
      ),
  });
}

export function useMatchVehicle(integrationId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ vendorId, vehicleId }: { vendorId: string; vehicleId: string }) =>
      unwrap(
        api.POST("/api/v1/integrations/{integration_id}/vehicles/{vendor_id}/match", {
          params: { path: { integration_id: integrationId, vendor_id: vendorId } },
          body: { vehicle_id: vehicleId },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: vehiclesKey(integrationId) }),
  });
}
