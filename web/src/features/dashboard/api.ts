import { queryOptions, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { api, unwrap, type Schemas } from "@/lib/api";
import { ENTITY_ROOTS, useLiveSubscription } from "@/lib/live";

export type Dashboard = Schemas["Dashboard"];
export type Figure = Schemas["Figure"];
export type UpcomingReservation = Schemas["UpcomingReservation"];
export type FleetSummary = Schemas["FleetSummary"];

/** The figures are fetched again this often while the dashboard is shown. */
export const REFRESH_MS = 15_000;
/** After a live change, the dashboard is fetched again at most this often. */
export const CHANGE_REFRESH_MS = 1_000;

export const dashboardKeys = {
  all: () => ["dashboard"] as const,
  summary: () => ["dashboard", "summary"] as const,
};

export function dashboardQueryOptions() {
  return queryOptions({
    queryKey: dashboardKeys.all(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/dashboard", { signal })),
    refetchInterval: REFRESH_MS,
    staleTime: 5_000,
  });
}

/**
 * The fleet summary (GET /fleet/summary): the records' breakdowns — vehicles by status, type
 * and depot, reservations today. The page takes from it only what /dashboard doesn't answer,
 * so each figure on the page has one source. Under the dashboard's key: refreshed with it.
 */
export function summaryQueryOptions() {
  return queryOptions({
    queryKey: dashboardKeys.summary(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/fleet/summary", { signal })),
    refetchInterval: REFRESH_MS,
    staleTime: 5_000,
  });
}

/** The entities whose changes move a figure: alerts, vehicles, devices, reservations. */
const WATCHED = new Set(["alerts", ENTITY_ROOTS.vehicle, ENTITY_ROOTS.device, ENTITY_ROOTS.reservation]);

/**
 * Fetch the dashboard again soon after the live feed changes what it counts. The feed only
 * keeps the query cache current, so this listens to the cache: when the feed invalidates a
 * query under a watched entity, the dashboard follows within CHANGE_REFRESH_MS. An alert
 * opening or clearing always does (the nav badge's query is always cached); a record event
 * does when a query of its entity is cached; the rest waits for the next REFRESH_MS. The
 * fleet subscription (a position per vehicle per REFRESH_MS at most) is what brings those
 * events while the dashboard is on screen.
 */
export function useRefreshOnLiveChanges(): void {
  const client = useQueryClient();
  useLiveSubscription({ fleet: true, minIntervalMs: REFRESH_MS });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const stop = client.getQueryCache().subscribe((event) => {
      if (event.type !== "updated" || timer !== null) return;
      if (event.action.type !== "invalidate") return;
      if (!WATCHED.has(String(event.query.queryKey[0]))) return;
      timer = setTimeout(() => {
        timer = null;
        void client.invalidateQueries({ queryKey: dashboardKeys.all() });
      }, CHANGE_REFRESH_MS);
    });
    return () => {
      stop();
      if (timer !== null) clearTimeout(timer);
    };
  }, [client]);
}
