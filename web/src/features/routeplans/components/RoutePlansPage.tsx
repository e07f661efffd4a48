import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { useAccess } from "@/lib/access";
import { Link } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";

import { cancelPlan, deletePlan, isRunning, planKeys, plansQueryOptions } from "../api";
import { formatDuration, formatKm } from "../plan";
import type { PlanStatus, RoutePlanSummary } from "../types";
import "../routeplans.css";

export const STATUS_WORDS: Record<PlanStatus, string> = {
  queued: "Queued",
  solving: "Solving",
  solved: "Solved",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function PlanStatusBadge({ status }: { status: PlanStatus }) {
  return <span className={`badge rp-status rp-${status}`}>{STATUS_WORDS[status]}</span>;
}

const created = (at: string) =>
  new Date(at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Cancel a queued or solving plan; delete any other. */
function PlanActions({ plan }: { plan: RoutePlanSummary }) {
  const client = useQueryClient();
  const writer = useAccess().can("route_plans:write");
  const running = isRunning(plan);
  const act = useMutation({
    mutationFn: () => (running ? cancelPlan(plan.id) : deletePlan(plan.id)),
    onSettled: () => client.invalidateQueries({ queryKey: planKeys.all }),
  });
  if (!writer) return null;
  const confirmDelete = () => running || window.confirm(`Delete the plan “${plan.name}”?`);
  return (
    <button
      type="button"
      className="button"
      disabled={act.isPending}
      aria-label={`${running ? "Cancel" : "Delete"} ${plan.name}`}
      onClick={() => {
        if (confirmDelete()) act.mutate();
      }}
    >
      {running ? "Cancel" : "Delete"}
    </button>
  );
}

function PlanRow({ plan }: { plan: RoutePlanSummary }) {
  return (
    <tr>
      <th scope="row">
        <Link to={`/route-plans/${plan.id}`}>{plan.name}</Link>
      </th>
      <td>
        <PlanStatusBadge status={plan.status} />
      </td>
      <td>{created(plan.created_at)}</td>
      <td className="num">{plan.job_count}</td>
      <td className="num">{plan.vehicle_count}</td>
      <td className="num">
        {formatKm(plan.distance)} · {formatDuration(plan.duration)}
      </td>
      <td className="num">
        {plan.unassigned ?? "—"}
      </td>
      <td>
        <PlanActions plan={plan} />
      </td>
    </tr>
  );
}

/** The tenant's route plans, newest first, and the way to a new one. */
export function RoutePlansPage() {
  const plans = useQuery(plansQueryOptions());
  let body;
  if (plans.isPending) body = <Loading label="Loading the plans…" />;
  else if (plans.isError) body = <ErrorNotice error={plans.error} title="The plans could not load." />;
  else if (!plans.data.items.length)
    body = <p className="muted">No plans yet. A new plan takes jobs from a CSV file and vehicles from the fleet.</p>;
  else
    body = (
      <div className="table-scroll" role="region" aria-label="Route plans" tabIndex={0}>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col" className="num">Jobs</th>
              <th scope="col" className="num">Vehicles</th>
              <th scope="col" className="num">Distance · time</th>
              <th scope="col" className="num">Unassigned</th>
              <th scope="col">
                <span className="rp-sr">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {plans.data.items.map((plan) => (
              <PlanRow key={plan.id} plan={plan} />
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <>
      <div className="page-head">
        <h1>Route plans</h1>
        <Link className="button button-primary" to="/route-plans/new">
          New plan
        </Link>
      </div>
      {body}
    </>
  );
}
