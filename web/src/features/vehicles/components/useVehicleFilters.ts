import { oneOf, useUrlFilters } from "@/lib/useUrlFilters";

import { ACTIVITIES, VEHICLE_STATUSES, VEHICLE_TYPES, type VehicleFilters } from "../api";

const PARAMS = {
  q: "q",
  status: "status",
  type: "type",
  groupId: "group",
  activity: "activity",
  driver: "driver",
  tracker: "tracker",
  sort: "sort",
} as const;

const read = (get: (name: keyof VehicleFilters) => string | undefined): VehicleFilters => ({
  q: get("q"),
  status: oneOf(get("status"), VEHICLE_STATUSES),
  type: oneOf(get("type"), VEHICLE_TYPES),
  groupId: get("groupId"),
  activity: oneOf(get("activity"), ACTIVITIES),
  driver: get("driver"),
  tracker: get("tracker"),
  sort: get("sort"),
});

/**
 * The list's filters live in the URL, so a filtered list can be bookmarked and shared (the
 * dashboard links to `/vehicles?activity=moving`).
 */
export function useVehicleFilters() {
  return useUrlFilters<VehicleFilters>(PARAMS, read);
}
