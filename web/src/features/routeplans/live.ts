// `route_plan.*` live items: the plan's cached detail and the list are asked again at once (the
// page also polls while a plan is queued or solving, in case the socket is down).
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { useLiveSocket } from "@/lib/live";

import { planKeys } from "./api";

export const PLAN_MESSAGE_PREFIX = "route_plan.";

/** The plan a live message is about, or null when it is not a route plan's. */
export function planIdOf(message: { type: string; payload?: unknown }): string | null {
  if (!message.type.startsWith(PLAN_MESSAGE_PREFIX)) return null;
  const payload = message.payload as { id?: unknown } | undefined;
  return typeof payload?.id === "string" ? payload.id : null;
}

export function usePlanFeed(planId: string): void {
  const socket = useLiveSocket();
  const client = useQueryClient();
  useEffect(() => {
    if (!socket) return undefined;
    return socket.onMessage((message) => {
      if (planIdOf(message as { type: string; payload?: unknown }) !== planId) return;
      void client.invalidateQueries({ queryKey: planKeys.detail(planId) });
      void client.invalidateQueries({ queryKey: planKeys.list() });
    });
  }, [socket, client, planId]);
}
