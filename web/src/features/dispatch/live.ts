// `dispatch.eta` live messages into the query cache: a route's fresh ETAs patched into the
// cached route, the driver's day and the dispatcher's view, without a refetch. The screens
// read the cache only; the 15 s refetch covers a dropped connection.
import type { QueryClient } from "@tanstack/react-query";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { useLiveSocket, useLiveSubscription } from "@/lib/live";

import { dispatchKey, type DispatchRoute, type EtaUpdate, type LiveDispatch } from "./api";

export const ETA_MESSAGE = "dispatch.eta";

function patchRoute(route: DispatchRoute, update: EtaUpdate): DispatchRoute {
  if (route.id !== update.route_id) return route;
  const etas = new Map(update.stops.map((s) => [s.stop_id, s]));
  return {
    ...route,
    eta_at: update.eta_at,
    eta_position_at: update.position_at,
    off_route_m: update.off_route_m,
    ...(route.stops && {
      stops: route.stops.map((stop) => {
        const eta = etas.get(stop.id);
        return eta ? { ...stop, eta_at: eta.eta_at, late_minutes: eta.late_minutes } : stop;
      }),
    }),
  };
}

function patchLive(dispatches: LiveDispatch[], update: EtaUpdate): LiveDispatch[] {
  return dispatches.map((dispatch) => ({
    ...dispatch,
    routes: dispatch.routes.map((route) => {
      if (route.route_id !== update.route_id) return route;
      const next = update.stops.find((s) => s.stop_id === route.next_stop_id);
      return {
        ...route,
        off_route_m: update.off_route_m,
        next_eta_at: next?.eta_at ?? route.next_eta_at,
        late_minutes: Math.max(0, ...update.stops.map((s) => s.late_minutes)),
      };
    }),
  }));
}

/** Apply one `dispatch.eta` payload to every cached dispatch query it concerns. */
export function applyEta(client: QueryClient, update: EtaUpdate): void {
  client.setQueriesData<DispatchRoute[]>({ queryKey: [...dispatchKey, "my-routes"] }, (routes) =>
    routes?.map((route) => patchRoute(route, update)),
  );
  client.setQueriesData<DispatchRoute>({ queryKey: [...dispatchKey, "routes", update.route_id] }, (route) =>
    route ? patchRoute(route, update) : route,
  );
  client.setQueriesData<LiveDispatch[]>({ queryKey: [...dispatchKey, "live"] }, (dispatches) =>
    dispatches ? patchLive(dispatches, update) : dispatches,
  );
}

/**
 * Watch the vehicles' live ETAs while mounted: `vehicleIds` (a driver's own) or the whole
 * fleet (the dispatcher).
 */
export function useEtaFeed(vehicleIds: readonly string[] | "fleet"): void {
  const socket = useLiveSocket();
  const client = useQueryClient();
  const fleet = vehicleIds === "fleet";
  useLiveSubscription(fleet ? { fleet: true } : { vehicles: [...vehicleIds] }, fleet || vehicleIds.length > 0);
  useEffect(() => {
    if (!socket) return undefined;
    return socket.onMessage((message) => {
      if (message.type === ETA_MESSAGE) applyEta(client, (message as unknown as { payload: EtaUpdate }).payload);
    });
  }, [socket, client]);
}
