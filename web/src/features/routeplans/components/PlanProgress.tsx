import type { RoutePlan } from "../types";

/** While the solver works: how far through its time limit, its best cost so far, and Cancel. */
export function PlanProgress({
  plan,
  onCancel,
  cancelling,
}: {
  plan: RoutePlan;
  onCancel: (() => void) | null;
  cancelling: boolean;
}) {
  const limit = plan.request.time_limit_s ?? 10;
  const elapsed = Math.min(plan.progress.elapsed_s, limit);
  const queued = plan.status === "queued";
  return (
    <section className="card rp-progress" aria-labelledby="rp-progress-title">
      <h2 id="rp-progress-title">{queued ? "Waiting for a solver…" : "Solving…"}</h2>
      <progress
        max={limit}
        value={queued ? undefined : elapsed}
        aria-label={queued ? "Queued" : `Solving: ${Math.round(elapsed)} of ${limit} seconds`}
      />
      <p className="muted" aria-live="polite">
        {queued
          ? "The plan is queued; it starts when a solver is free."
          : `${Math.round(elapsed)} of ${limit} s · ${plan.progress.iterations.toLocaleString()} iterations` +
            (plan.progress.best_cost !== null && plan.progress.best_cost !== undefined
              ? ` · best so far ${Math.round(plan.progress.best_cost).toLocaleString()}`
              : "")}
      </p>
      {onCancel ? (
        <button type="button" className="button" onClick={onCancel} disabled={cancelling}>
          {cancelling ? "Cancelling…" : "Cancel"}
        </button>
      ) : null}
    </section>
  );
}
