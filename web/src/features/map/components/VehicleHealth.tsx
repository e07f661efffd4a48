import { useQuery } from "@tanstack/react-query";

import { ErrorNotice, Loading } from "@/components/Status";

import { vehicleHealthQueryOptions } from "../api";

/** The health score and the reasons behind it. */
export function VehicleHealth({ vehicleId }: { vehicleId: string }) {
  const health = useQuery(vehicleHealthQueryOptions(vehicleId));
  let body;
  if (health.isPending) body = <Loading label="Loading health…" />;
  else if (health.isError) body = <ErrorNotice error={health.error} />;
  else {
    const { score, deductions, recommendations } = health.data;
    body = (
      <>
        <p className="health-score">
          <meter min={0} max={100} low={50} high={80} optimum={100} value={score} aria-label="Health score" />{" "}
          <strong>{score}</strong> / 100
        </p>
        {deductions.length === 0 ? (
          <p className="muted">Nothing taken off: no faults, alerts or overdue service seen.</p>
        ) : (
          <ul className="plain-list health-reasons">
            {deductions.map((deduction) => (
              <li key={deduction.code}>
                <span className="health-points">−{deduction.points}</span> {deduction.reason}
              </li>
            ))}
          </ul>
        )}
        {recommendations.length ? (
          <>
            <h4>What to do</h4>
            <ul className="health-reasons">
              {recommendations.map((recommendation) => (
                <li key={recommendation.code}>{recommendation.message}</li>
              ))}
            </ul>
          </>
        ) : null}
      </>
    );
  }
  return (
    <section aria-labelledby="panel-health-title">
      <h3 id="panel-health-title">Health</h3>
      {body}
    </section>
  );
}
