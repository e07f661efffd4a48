// The one place the dispatch screens meet the server (route plans handed to drivers, stop
// progress, the dispatcher's live view); the screens import only from here.
import { queryOptions } from "@tanstack/react-query";

import type { Schemas } from "@/lib/api";

import { networkError, toApiError } from "@/lib/api/errors";
import type { ChangeInput } from "@/lib/offline";

export type StopStatus = "pending" | "arrived" | "completed" | "failed";
export type StopAction = "arrive" | "complete" | "fail";
export type RouteStatus = "planned" | "in_progress" | "completed" | "superseded";

/** A stop of a dispatched route, a route with its stops, the dispatcher's live rows. */
export type StopPhoto = Schemas["ProofPhoto"];
export type DispatchStop = Schemas["DispatchedStop"];
export type DispatchRoute = Schemas["DispatchedRoute"];
export type LiveRoute = Schemas["LiveRoute"];
export type LiveDispatch = Schemas["LiveDispatch"];
export type PhotoIn = Schemas["PhotoIn"];






export type DispatchAlertKind = "stop_late" | "route_deviation";
export const DISPATCH_ALERT_KINDS: readonly DispatchAlertKind[] = ["stop_late", "route_deviation"];

/** An open alert of the dispatch kinds (the shared alerts API; `details.route_id` names the route). */
export interface DispatchAlert {
  id: string;
  vehicle_id: string;
  kind: string;
  message: string;
  opened_at: string;
  details?: { route_id?: string; stop_id?: string } | null;
}


export interface StopProgress {
  at: string;
  note?: string;
  photo?: PhotoIn;
}

/** A `dispatch.eta` live message's payload: fresh ETAs of a route's remaining stops. */
export interface EtaUpdate {
  route_id: string;
  dispatch_id: string;
  vehicle_id: string;
  position_at: string;
  eta_at: string | null;
  off_route_m: number | null;
  stops: { stop_id: string; eta_at: string; late_minutes: number }[];
}

export const dispatchKey = ["dispatch"] as const;
export const LIVE_REFETCH_MS = 15_000;

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(path, location.origin), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: signal ?? null,
    });
  } catch (cause) {
    throw networkError(cause);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw toApiError(response.status, body);
  return body as T;
}

/** The signed-in driver's routes of a day (kept in the saved cache for offline reading). */
export function myRoutesQueryOptions(date: string) {
  return queryOptions({
    queryKey: [...dispatchKey, "my-routes", date],
    queryFn: ({ signal }) =>
      getJson<DispatchRoute[]>(`/api/v1/dispatch/my-routes?date=${encodeURIComponent(date)}`, signal),
    staleTime: 30_000,
  });
}

/** One dispatched route with its stops. */
export function routeQueryOptions(routeId: string) {
  return queryOptions({
    queryKey: [...dispatchKey, "routes", routeId],
    queryFn: ({ signal }) => getJson<DispatchRoute>(`/api/v1/dispatch/routes/${routeId}`, signal),
    enabled: Boolean(routeId),
    refetchInterval: LIVE_REFETCH_MS,
  });
}

/** Dispatches in progress, each route's progress, next stop, ETA and lateness (live-fed, 15 s fallback). */
export function liveQueryOptions() {
  return queryOptions({
    queryKey: [...dispatchKey, "live"],
    queryFn: ({ signal }) => getJson<LiveDispatch[]>("/api/v1/dispatch/live", signal),
    refetchInterval: LIVE_REFETCH_MS,
  });
}

/**
 * Open `stop_late` and `route_deviation` alerts. Kept under the alerts root, so the live feed
 * refetches them when an alert opens or clears.
 */
export function dispatchAlertsQueryOptions() {
  return queryOptions({
    queryKey: ["alerts", "dispatch"],
    queryFn: async ({ signal }) => {
      const pages = await Promise.all(
        DISPATCH_ALERT_KINDS.map((kind) =>
          getJson<{ items: DispatchAlert[] }>(`/api/v1/alerts?state=open&kind=${kind}&limit=500`, signal),
        ),
      );
      return { items: pages.flatMap((page) => page.items) };
    },
    refetchInterval: LIVE_REFETCH_MS,
  });
}

const WORDS: Record<StopAction, string> = { arrive: "Arrived at", complete: "Completed", fail: "Failed" };

/** A driver's step at a stop as an edit for the offline queue (in order per route). */
export function stopChange(
  route: Pick<DispatchRoute, "id">,
  stop: Pick<DispatchStop, "id" | "name">,
  number: number,
  action: StopAction,
  body: StopProgress,
  idempotencyKey: string,
): ChangeInput {
  return {
    kind: `dispatch.${action}`,
    method: "POST",
    path: `/api/v1/dispatch/routes/${route.id}/stops/${stop.id}/${action}`,
    body,
    describe: `${WORDS[action]} stop ${number}${stop.name ? ` (${stop.name})` : ""}`,
    entity: { type: "dispatch_route", id: route.id },
    invalidates: [dispatchKey],
    idempotencyKey,
  };
}
