import { oneOf, useUrlFilters } from "@/lib/useUrlFilters";

import { VEHICLE_STATUSES, VEHICLE_TYPES, type VehicleFilters } from "../api";

const PARAMS = { q: "q", status: "status", type: "type", groupId: "group", sort: "sort" } as const;

const read = (get: (name: keyof VehicleFilters) => string | undefined): VehicleFilters => ({
  q: get("q"),
  status: oneOf(get("status"), VEHICLE_STATUSES),
  type: oneOf(get("type"), VEHICLE_TYPES),
  groupId: get("groupId"),
  sort: get("sort"),
});

/** The list's filters live in the URL, so a filtered list can be bookmarked and shared. */
export function useVehicleFilters() {
  return useUrlFilters<VehicleFilters>(PARAMS, read);
}
