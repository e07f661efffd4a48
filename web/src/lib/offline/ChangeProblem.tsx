import { useState, type ReactNode } from "react";

import { errorMessage } from "@/lib/api/errors";
import { formatDateTime } from "@/lib/format";

import { useMutationQueue } from "./context";
import { changedFields, describeValue } from "./describe";
import type { QueuedChange } from "./types";

type Describe = (field: string, value: unknown) => string;

interface Props {
  change: QueuedChange;
  /** Field names and values for people (defaults: the field name, `describeValue`). */
  fieldLabel?: (field: string) => string;
  describe?: Describe;
  /** Extra actions a screen offers (e.g. "Change times"). */
  children?: ReactNode;
}

interface Overlap {
  starts_at: string;
  ends_at: string;
}

function Diff({ change, fieldLabel, describe }: Required<Pick<Props, "fieldLabel" | "describe">> & { change: QueuedChange }) {
  const server = (change.server ?? null) as Record<string, unknown> | null;
  const fields = changedFields(change);
  if (!server) {
    return <p>The server has version {String(change.error?.details.current ?? "?")} now.</p>;
  }
  return (
    <table className="diff-table">
      <caption className="visually-hidden">Your change and the server&apos;s version</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">On the server now</th>
          <th scope="col">Yours</th>
        </tr>
      </thead>
      <tbody>
        {fields.map(([field, mine]) => {
          const theirs = server[field];
          const differs = JSON.stringify(theirs) !== JSON.stringify(mine);
          return (
            <tr key={field} className={differs ? "diff-differs" : undefined}>
              <th scope="row">{fieldLabel(field)}</th>
              <td>{describe(field, theirs)}</td>
              <td>{describe(field, mine)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Overlaps({ change }: { change: QueuedChange }) {
  const conflicts = (change.error?.details.conflicts ?? []) as Overlap[];
  if (!conflicts.length) return null;
  return (
    <ul className="overlaps">
      {conflicts.map((c) => (
        <li key={`${c.starts_at}-${c.ends_at}`}>
          Booked {formatDateTime(c.starts_at)} – {formatDateTime(c.ends_at)}
        </li>
      ))}
    </ul>
  );
}

/**
 * A change the server refused, shown to resolve: for a version conflict, the server's values
 * beside yours, then "Keep mine" (sent again on the server's version) or "Discard mine";
 * for other refusals, the server's reason, "Try again" or "Discard".
 */
export function ChangeProblem({ change, fieldLabel = (f) => f, describe = (_, v) => describeValue(v), children }: Props) {
  const queue = useMutationQueue();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  if (change.status !== "conflict" && change.status !== "failed") return null;
  const versionConflict = change.error?.code === "version_conflict";

  const act = (action: () => Promise<void>) => async () => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="change-problem" role="group" aria-label={`Problem: ${change.label}`}>
      <p>
        <strong>{versionConflict ? "Changed by someone else meanwhile." : `Not saved: ${change.label}.`}</strong>{" "}
        {versionConflict
          ? `Your edit (${change.label}) was made on an older version.`
          : change.error?.message}
      </p>
      {versionConflict ? <Diff change={change} fieldLabel={fieldLabel} describe={describe} /> : null}
      {change.error?.code === "reservation_overlap" ? <Overlaps change={change} /> : null}
      <div className="button-row">
        {versionConflict ? (
          <button type="button" className="button button-primary" disabled={busy} onClick={act(() => queue.keepMine(change.id))}>
            Keep mine
          </button>
        ) : (
          <button type="button" className="button" disabled={busy} onClick={act(() => queue.retry(change.id))}>
            Try again
          </button>
        )}
        {children}
        <button type="button" className="button" disabled={busy} onClick={act(() => queue.discard(change.id))}>
          {versionConflict ? "Discard mine" : "Discard"}
        </button>
      </div>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {errorMessage(problem)}
        </p>
      ) : null}
    </div>
  );
}
