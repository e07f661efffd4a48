import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Geofence = Schemas["Geofence"];
export type GeofenceCreate = Schemas["GeofenceCreate"];
export type GeofenceUpdate = Schemas["GeofenceUpdate"];
export type AlertOn = Schemas["AlertOn"];
export type ActiveWindow = Schemas["ActiveWindow"];
export type Weekday = Schemas["Weekday"];
export type VehicleInside = Schemas["VehicleInside"];

const PAGE_SIZE = 500;
/** A map shows every fence; a tenant with more than this many is beyond one screen. */
const MAX_PAGES = 10;

const geofencesKey = ["geofences"] as const;

/** Every geofence of the tenant, by name, paged through by cursor. */
export function allGeofencesQueryOptions() {
  return queryOptions({
    queryKey: [...geofencesKey, "all"],
    queryFn: async ({ signal }) => {
      const fences: Geofence[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await unwrap(
          api.GET("/api/v1/geofences", { params: { query: { sort: "name", limit: PAGE_SIZE, cursor } }, signal }),
        );
        fences.push(...result.items);
        if (!result.next_cursor) break;
        cursor = result.next_cursor;
      }
      return fences;
    },
  });
}

/** The tenant's groups by name, to choose which a fence applies to (under the "groups" key,
 * so a change on the groups screen refreshes it). */
export function groupChoicesQueryOptions() {
  return queryOptions({
    queryKey: ["groups", "geofence-choices"],
    queryFn: async ({ signal }) => {
      const groups: Schemas["Group"][] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await unwrap(
          api.GET("/api/v1/groups", { params: { query: { sort: "name", limit: PAGE_SIZE, cursor } }, signal }),
        );
        groups.push(...result.items);
        if (!result.next_cursor) break;
        cursor = result.next_cursor;
      }
      return groups;
    },
    staleTime: 60_000,
  });
}

/** Who is inside a geofence now (the first page: the longest there). */
export function vehiclesInsideQueryOptions(geofenceId: string) {
  return queryOptions({
    queryKey: [...geofencesKey, geofenceId, "vehicles"],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/geofences/{geofence_id}/vehicles", {
          params: { path: { geofence_id: geofenceId }, query: { limit: 100 } },
          signal,
        }),
      ),
    refetchInterval: 30_000,
  });
}

function useRefresh() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: geofencesKey });
}

export function useCreateGeofence() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: GeofenceCreate) => unwrap(api.POST("/api/v1/geofences", { body })),
    onSuccess: refresh,
  });
}

export function useUpdateGeofence() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: GeofenceUpdate }) =>
      unwrap(api.PATCH("/api/v1/geofences/{geofence_id}", { params: { path: { geofence_id: id } }, body })),
    onSuccess: refresh,
  });
}

export function useDeleteGeofence() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/geofences/{geofence_id}", { params: { path: { geofence_id: id } } })),
    // Only the list: asking a deleted fence who is inside would earn a 404.
    onSuccess: (_, id) => {
      client.removeQueries({ queryKey: [...geofencesKey, id] });
      return client.invalidateQueries({ queryKey: [...geofencesKey, "all"] });
    },
  });
}
