import { Loading } from "@/components/Status";

interface QueryLike {
  isPending: boolean;
  fetchStatus: string;
}

/**
 * For a query with no data yet: "Loading…", or, when it waits for the network (offline and
 * never seen before), says so instead of spinning.
 */
export function LoadingOrOffline({ query, label }: { query: QueryLike; label?: string }) {
  if (query.fetchStatus === "paused") {
    return (
      <p className="muted" role="status">
        You are offline, and this was not loaded before. It loads when the network is back.
      </p>
    );
  }
  return <Loading label={label} />;
}
