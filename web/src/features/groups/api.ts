import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Group = Schemas["Group"];
export type GroupKind = Schemas["GroupKind"];
export type GroupCreate = Schemas["GroupCreate"];
export type GroupUpdate = Schemas["GroupUpdate"];

export const GROUP_KINDS: readonly GroupKind[] = ["region", "depot", "team", "other"];
export const KIND_LABELS: Record<GroupKind, string> = {
  region: "Region",
  depot: "Depot",
  team: "Team",
  other: "Other",
};
/** The API's bounds for a place's radius (metres). */
export const MIN_RADIUS_M = 20;
export const MAX_RADIUS_M = 5000;
const PAGE_SIZE = 500;
/** A tree needs every group; a tenant with more than this many is not one a screen shows. */
const MAX_PAGES = 20;

// Every "groups" query (this screen's and the vehicle and driver pickers') is refreshed by
// a change here.
const groupsKey = ["groups"] as const;

/** Every group of the tenant, paged through by cursor, for the tree. */
export function allGroupsQueryOptions() {
  return queryOptions({
    queryKey: [...groupsKey, "all"],
    queryFn: async ({ signal }) => {
      const groups: Group[] = [];
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
  });
}

function useRefresh() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: groupsKey });
    // vehicles and drivers show their group
    void client.invalidateQueries({ queryKey: ["vehicles"] });
    void client.invalidateQueries({ queryKey: ["drivers"] });
  };
}

export function useCreateGroup() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: GroupCreate) => unwrap(api.POST("/api/v1/groups", { body })),
    onSuccess: refresh,
  });
}

export function useUpdateGroup() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ groupId, body }: { groupId: string; body: GroupUpdate }) =>
      unwrap(api.PATCH("/api/v1/groups/{group_id}", { params: { path: { group_id: groupId } }, body })),
    onSuccess: refresh,
  });
}

export function useDeleteGroup() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ groupId, version }: { groupId: string; version: number }) =>
      unwrap(
        api.DELETE("/api/v1/groups/{group_id}", {
          params: { path: { group_id: groupId }, header: { "If-Match": `"${version}"` } },
        }),
      ),
    onSuccess: refresh,
  });
}
