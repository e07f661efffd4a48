import { useEffect, useId, useRef, useState } from "react";

import { ChangeProblem } from "./ChangeProblem";
import { ChangeState } from "./ChangeState";
import { useMutationQueue } from "./context";
import { useQueuedChanges, useSyncSummary, type SyncSummary } from "./hooks";
import { useOnline } from "./online";
import "./offline.css";

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "Saving 2 changes…", "Offline · 2 changes waiting for the network", "1 to resolve",
 * "All changes saved"… Only offline is a change said to wait for the network. */
export function summaryText(summary: SyncSummary, online: boolean): string {
  const parts: string[] = [];
  if (!online) parts.push("Offline");
  if (summary.pending && online) parts.push(`Saving ${plural(summary.pending, "change", "changes")}…`);
  if (summary.pending && !online)
    parts.push(`${plural(summary.pending, "change", "changes")} waiting for the network`);
  const problems = summary.conflicts + summary.failed;
  if (problems) parts.push(`${problems} to resolve`);
  if (parts.length === 0) return summary.synced ? "All changes saved" : "Online";
  return parts.join(" · ");
}

function ChangeList({ onClose }: { onClose: () => void }) {
  const changes = useQueuedChanges();
  const queue = useMutationQueue();
  const online = useOnline();
  const newestFirst = [...changes].reverse();
  const hasSynced = changes.some((change) => change.status === "synced");
  const waiting = changes.some((change) => change.status === "pending");
  return (
    <>
      <div className="sync-panel-head">
        <h2 id="sync-panel-title">Your changes</h2>
        <button type="button" className="button button-small" onClick={onClose}>
          Close
        </button>
      </div>
      {changes.length === 0 ? (
        <p className="muted">No changes waiting. Edits made offline are kept here until they are saved.</p>
      ) : (
        <ol className="plain-list sync-list">
          {newestFirst.map((change) => (
            <li key={change.id}>
              <div className="sync-item">
                <span>{change.label}</span>
                <ChangeState change={change} />
              </div>
              {change.status === "pending" && change.error ? (
                <p className="muted small">Last try: {change.error.message}</p>
              ) : null}
              <ChangeProblem change={change} />
            </li>
          ))}
        </ol>
      )}
      <div className="button-row">
        {waiting && online ? (
          <button type="button" className="button" onClick={() => void queue.retryNow()}>
            Sync now
          </button>
        ) : null}
        {hasSynced ? (
          <button type="button" className="button" onClick={() => void queue.clearSynced()}>
            Clear synced
          </button>
        ) : null}
      </div>
    </>
  );
}

/**
 * The shell's sync indicator: offline or not, how many changes wait, how many need the
 * person; it opens the list of changes, each with its state and, when refused, what to do.
 */
export function SyncStatus() {
  const summary = useSyncSummary();
  const online = useOnline();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const text = summaryText(summary, online);
  const attention = summary.conflicts + summary.failed > 0;

  useEffect(() => {
    if (!open) return undefined;
    panelRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  return (
    <div className="sync-status">
      <button
        ref={buttonRef}
        type="button"
        className={`sync-button${attention ? " sync-attention" : ""}${online ? "" : " sync-offline"}`}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="sync-dot" aria-hidden="true" />
        <span role="status" aria-live="polite">
          {text}
        </span>
      </button>
      {open ? (
        <div
          ref={panelRef}
          id={panelId}
          className="sync-panel"
          role="dialog"
          aria-labelledby="sync-panel-title"
          tabIndex={-1}
        >
          <ChangeList onClose={close} />
        </div>
      ) : null}
    </div>
  );
}
