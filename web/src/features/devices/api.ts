import {
  infiniteQueryOptions,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Device = Schemas["Device"];
export type DeviceCreate = Schemas["DeviceCreate"];
export type DeviceUpdate = Schemas["DeviceUpdate"];
export type DeviceProtocol = Schemas["DeviceProtocol"];
export type UnknownDevice = Schemas["UnknownDeviceOut"];
export type UnknownDeviceClaim = Schemas["UnknownDeviceClaim"];
export type CommandResult = Schemas["DeviceCommandResult"];

/** What a person registers a device with. */
export const PROTOCOLS: readonly DeviceProtocol[] = ["teltonika", "gt06", "h02", "osmand", "other"];
/** A vendor vehicle's device: made by its integration when matched, never by hand (the server
 * answers 422 device_managed_by_integration), its id and protocol fixed. */
export const INTEGRATION_PROTOCOLS: readonly DeviceProtocol[] = ["geotab", "samsara", "verizon_connect", "mqtt"];
/** Every protocol a listed device may have: what the list filters by. */
export const ALL_PROTOCOLS: readonly DeviceProtocol[] = [...PROTOCOLS, ...INTEGRATION_PROTOCOLS];
export const PROTOCOL_LABELS: Record<DeviceProtocol, string> = {
  teltonika: "Teltonika",
  gt06: "GT06 / Concox",
  h02: "H02",
  osmand: "OsmAnd / Traccar Client",
  other: "Other",
  geotab: "Geotab (integration)",
  samsara: "Samsara (integration)",
  verizon_connect: "Verizon Connect (integration)",
  mqtt: "MQTT (integration)",
};
export function byIntegration(protocol: DeviceProtocol): boolean {
  return INTEGRATION_PROTOCOLS.includes(protocol);
}
/** Commands (Codec 12) go to Teltonika devices only. */
export const COMMAND_PROTOCOLS: readonly DeviceProtocol[] = ["teltonika"];
export const PAGE_SIZE = 200;
export const UNKNOWN_DAYS = 7;

export interface DeviceFilters {
  q?: string;
  protocol?: DeviceProtocol;
  sort?: string;
}

export function deviceListQuery(filters: DeviceFilters, cursor: string | null) {
  return {
    q: filters.q?.trim() || undefined,
    protocol: filters.protocol,
    sort: filters.sort || "unique_id",
    cursor: cursor ?? undefined,
    limit: PAGE_SIZE,
  };
}

const devicesKey = ["devices"] as const;
const listKey = [...devicesKey, "list"] as const;
const unknownKey = [...devicesKey, "unknown"] as const;

export function deviceListQueryOptions(filters: DeviceFilters) {
  return infiniteQueryOptions({
    queryKey: [...listKey, filters],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/devices", { params: { query: deviceListQuery(filters, pageParam) }, signal }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function deviceQueryOptions(deviceId: string) {
  return queryOptions({
    queryKey: [...devicesKey, "detail", deviceId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/devices/{device_id}", { params: { path: { device_id: deviceId } }, signal }),
      ),
  });
}

/** Hardware ids that knocked without being registered (any tenant's), seen lately. */
export function unknownDevicesQueryOptions(q: string) {
  return queryOptions({
    queryKey: [...unknownKey, q.trim()],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/devices/unknown", {
          params: { query: { days: UNKNOWN_DAYS, q: q.trim() || undefined, limit: 100 } },
          signal,
        }),
      ),
    refetchInterval: 30_000,
  });
}

export function useCreateDevice() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: DeviceCreate) => unwrap(api.POST("/api/v1/devices", { body })),
    onSuccess: (device) => {
      client.setQueryData(deviceQueryOptions(device.id).queryKey, device);
      void client.invalidateQueries({ queryKey: listKey });
      void client.invalidateQueries({ queryKey: unknownKey });
    },
  });
}

/** `body.version` is the version the form was loaded from: a newer one answers 409. */
export function useUpdateDevice() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: DeviceUpdate }) =>
      unwrap(api.PATCH("/api/v1/devices/{device_id}", { params: { path: { device_id: id } }, body })),
    onSuccess: (device) => {
      client.setQueryData(deviceQueryOptions(device.id).queryKey, device);
      void client.invalidateQueries({ queryKey: listKey });
    },
  });
}

export function useDeleteDevice() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version }: { id: string; version: number }) =>
      unwrap(
        api.DELETE("/api/v1/devices/{device_id}", {
          params: { path: { device_id: id }, header: { "If-Match": `"${version}"` } },
        }),
      ),
    onSuccess: (_, { id }) => {
      client.removeQueries({ queryKey: deviceQueryOptions(id).queryKey });
      void client.invalidateQueries({ queryKey: listKey });
    },
  });
}

/** Register an unknown device in this tenant (its protocol as seen, unless given). */
export function useClaimDevice() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ uniqueId, body }: { uniqueId: string; body: UnknownDeviceClaim }) =>
      unwrap(
        api.POST("/api/v1/devices/unknown/{unique_id}/claim", {
          params: { path: { unique_id: uniqueId } },
          body,
        }),
      ),
    onSuccess: (device) => {
      client.setQueryData(deviceQueryOptions(device.id).queryKey, device);
      void client.invalidateQueries({ queryKey: listKey });
      void client.invalidateQueries({ queryKey: unknownKey });
    },
  });
}

/**
 * A text command to a connected device, answered with the device's reply; 409
 * `device_not_connected`, 504 `device_timeout` (the server waits up to 20 s). Not queued
 * offline: a command only makes sense while someone waits for its answer.
 */
export function useSendCommand() {
  return useMutation({
    mutationFn: ({ id, command }: { id: string; command: string }) =>
      unwrap(
        api.POST("/api/v1/devices/{device_id}/commands", {
          params: { path: { device_id: id } },
          body: { command },
        }),
      ),
  });
}
