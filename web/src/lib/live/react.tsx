/**
 * The live connection in React: one socket per app (LiveProvider), subscriptions held by
 * the components that show live data (useLiveSubscription), and its state for a badge
 * (useLiveState). Components never read the socket's messages: they read the query cache,
 * which the feed keeps current.
 */
import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from "react";

import type { LiveSocket, LiveState } from "./socket";
import type { LiveSpec } from "./subscriptions";

const LiveContext = createContext<LiveSocket | null>(null);

export function LiveProvider({ socket, children }: { socket: LiveSocket; children: ReactNode }) {
  return <LiveContext.Provider value={socket}>{children}</LiveContext.Provider>;
}

/** The app's socket, or null outside a LiveProvider (tests of a screen alone). */
export function useLiveSocket(): LiveSocket | null {
  return useContext(LiveContext);
}

/**
 * Watch `spec` while the component is mounted (and while `enabled`). Equal specs from many
 * components share one server subscription; the last to unmount ends it.
 */
export function useLiveSubscription(spec: LiveSpec, enabled = true): void {
  const socket = useLiveSocket();
  const fleet = spec.fleet ?? false;
  const vehicles = (spec.vehicles ?? []).join(",");
  const groups = (spec.groups ?? []).join(",");
  const minIntervalMs = spec.minIntervalMs;
  useEffect(() => {
    if (!socket || !enabled) return undefined;
    return socket.retain({
      fleet,
      vehicles: vehicles ? vehicles.split(",") : [],
      groups: groups ? groups.split(",") : [],
      ...(minIntervalMs === undefined ? {} : { minIntervalMs }),
    });
  }, [socket, enabled, fleet, vehicles, groups, minIntervalMs]);
}

const noSocket = () => () => {};

/** The connection's state, re-rendering when it changes ("idle" without a socket). */
export function useLiveState(): LiveState {
  const socket = useLiveSocket();
  return useSyncExternalStore(
    socket ? (listener) => socket.onState(listener) : noSocket,
    () => socket?.state ?? "idle",
    () => "idle",
  );
}
