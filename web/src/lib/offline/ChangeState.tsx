import { stateText } from "./describe";
import { useOnline } from "./online";
import type { QueuedChange } from "./types";

/** A small badge saying where a change stands (sending, waiting for the network, synced…). */
export function ChangeState({ change }: { change: QueuedChange }) {
  const online = useOnline();
  return <span className={`badge sync-badge sync-${change.status}`}>{stateText(change, online)}</span>;
}
