import { stateText } from "./describe";
import type { QueuedChange } from "./types";

/** A small badge saying where a change stands (pending, synced, conflict…). */
export function ChangeState({ change }: { change: QueuedChange }) {
  return <span className={`badge sync-badge sync-${change.status}`}>{stateText(change)}</span>;
}
