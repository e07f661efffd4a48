import { useLiveState, type LiveState } from "@/lib/live";

const TEXT: Record<LiveState, string> = {
  idle: "Not connected",
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
  refused: "Live updates refused: sign in again",
};

/** Whether what the map shows is live. */
export function LiveBadge() {
  const state = useLiveState();
  return (
    <p className={`live-badge live-${state}`} role="status" data-state={state}>
      <span className="live-dot" aria-hidden="true" />
      {TEXT[state]}
    </p>
  );
}
