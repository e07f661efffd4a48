import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";

import { ErrorNotice } from "@/components/Status";
import { useAccess } from "@/lib/access";

import { createPlan, planKeys } from "../api";
import type { JobDraft } from "../csv";
import { buildRequest, draftProblems } from "../plan";
import type { Objective } from "../types";
import { JobsInput } from "./JobsInput";
import { VehiclesPicker, type PickedVehicle } from "./VehiclesPicker";
import "../routeplans.css";

const OBJECTIVES: [Objective, string][] = [
  ["distance", "Shortest distance"],
  ["duration", "Least time on the road"],
  ["cost", "Lowest cost (per km and per hour)"],
];

function defaultName() {
  return `Plan ${new Date().toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" })}`;
}

/** A new plan: jobs (CSV or by hand), vehicles from the fleet, what to optimise, then Solve. */
export function NewPlanPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const writer = useAccess().can("route_plans:write");
  const [name, setName] = useState(defaultName);
  const [objective, setObjective] = useState<Objective>("distance");
  const [timeLimit, setTimeLimit] = useState(10);
  const [jobs, setJobs] = useState<JobDraft[]>([]);
  const [fileProblems, setFileProblems] = useState(0);
  const [dimensions, setDimensions] = useState(1);
  const [vehicles, setVehicles] = useState<PickedVehicle[]>([]);
  const [tried, setTried] = useState(false);
  const solve = useMutation({
    mutationFn: createPlan,
    onSuccess: async ({ id }) => {
      await client.invalidateQueries({ queryKey: planKeys.list() });
      await navigate(`/route-plans/${id}`);
    },
  });

  const draft = { name, objective, timeLimitS: timeLimit, jobs, vehicles };
  const problems = [
    ...(fileProblems ? ["Fix or drop the rows with problems in the jobs."] : []),
    ...draftProblems(draft),
  ];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!problems.length) solve.mutate(buildRequest(draft));
  };

  return (
    <>
      <div className="page-head">
        <h1>New route plan</h1>
        <Link to="/route-plans">All plans</Link>
      </div>
      <form className="rp-new" onSubmit={submit} noValidate>
        <section className="card" aria-labelledby="rp-plan-title">
          <h2 id="rp-plan-title">Plan</h2>
          <div className="rp-settings">
            <label>
              Name <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
            </label>
            <label>
              Optimise for
              <select value={objective} onChange={(e) => setObjective(e.target.value as Objective)}>
                {OBJECTIVES.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Time limit (seconds)
              <input
                type="number"
                min={1}
                max={600}
                value={timeLimit}
                onChange={(e) => setTimeLimit(Math.max(1, Math.min(600, Math.round(Number(e.target.value)) || 1)))}
              />
            </label>
          </div>
          <p className="muted small">Times are clock times of the plan&apos;s day; the solver stops at the time limit with its best plan.</p>
        </section>
        <section className="card" aria-labelledby="rp-jobs-title">
          <h2 id="rp-jobs-title">Jobs</h2>
          <JobsInput
            onChange={(next, names, count) => {
              setJobs(next);
              setDimensions(Math.max(1, names.length));
              setFileProblems(count);
            }}
          />
        </section>
        <section className="card" aria-labelledby="rp-vehicles-title">
          <h2 id="rp-vehicles-title">Vehicles</h2>
          <VehiclesPicker picked={vehicles} onChange={setVehicles} dimensions={dimensions} />
        </section>
        <div className="rp-solve">
          {tried && problems.length ? (
            <ul className="notice notice-error" role="alert" aria-label="Before solving">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : null}
          {solve.isError ? <ErrorNotice error={solve.error} title="The plan was refused." /> : null}
          <button type="submit" className="button button-primary" disabled={solve.isPending || !writer}>
            {solve.isPending ? "Sending…" : `Solve ${jobs.length} job${jobs.length === 1 ? "" : "s"} with ${vehicles.length} vehicle${vehicles.length === 1 ? "" : "s"}`}
          </button>
          {!writer ? <p className="muted small">Your role may look at plans but not make them.</p> : null}
        </div>
      </form>
    </>
  );
}
