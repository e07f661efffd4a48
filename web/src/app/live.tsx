import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";

import { meQueryOptions } from "@/features/auth";
import { feedQueryCache, LiveProvider, LiveSocket, liveUrl, type Timings } from "@/lib/live";

declare global {
  interface Window {
    /** Read-only numbers about the live connection (browser tests check for leaks). */
    __fleetyardLive?: {
      stats: () => ReturnType<LiveSocket["stats"]>;
      feedTimings: () => ReturnType<Timings["summary"]>;
    };
  }
}

/**
 * The app's one live connection, for the signed-in person's current tenant. It connects
 * only while a screen watches something, and its messages go to the query cache alone.
 */
export function LiveConnection({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [socket] = useState(() => new LiveSocket({ url: liveUrl(window.location) }));
  // Read, never fetched here: the session guard asks (the login page must not).
  const tenant = useQuery({ ...meQueryOptions(), enabled: false }).data?.tenant_id ?? null;

  useEffect(() => {
    const feed = feedQueryCache(socket, client);
    const online = () => socket.retryNow();
    window.addEventListener("online", online);
    window.__fleetyardLive = {
      stats: () => socket.stats(),
      feedTimings: () => feed.timings.summary(),
    };
    return () => {
      window.removeEventListener("online", online);
      feed.dispose();
      socket.dispose();
    };
  }, [socket, client]);

  useEffect(() => socket.setTenant(tenant), [socket, tenant]);

  return <LiveProvider socket={socket}>{children}</LiveProvider>;
}
