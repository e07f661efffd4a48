import { oneOf, useUrlFilters } from "@/lib/useUrlFilters";

import { ALL_PROTOCOLS, type DeviceFilters } from "../api";

const PARAMS = { q: "q", protocol: "protocol", sort: "sort" } as const;

const read = (get: (name: keyof DeviceFilters) => string | undefined): DeviceFilters => ({
  q: get("q"),
  protocol: oneOf(get("protocol"), ALL_PROTOCOLS),
  sort: get("sort"),
});

/** The list's filters live in the URL, so a filtered list can be bookmarked and shared. */
export function useDeviceFilters() {
  return useUrlFilters<DeviceFilters>(PARAMS, read);
}
