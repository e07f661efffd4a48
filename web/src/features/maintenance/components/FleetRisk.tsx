import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { humanize } from "@/lib/format";

import { fleetRiskQueryOptions, percent } from "../predictions";

/** The vehicles most likely to have a failure within 30 days, each with what to do. */
export function FleetRisk() {
  const query = useQuery(fleetRiskQueryOptions());
  let body;
  if (query.isPending) body = <Loading />;
  else if (query.isError) body = <ErrorNotice error={query.error} title="The predictions could not load." />;
  else if (!query.data.items.length) body = <p className="muted">No vehicle is at medium or high risk of a failure within 30 days.</p>;
  else
    body = (
      <ol className="plain-list" aria-label="Vehicles by failure risk">
        {query.data.items.map((p) => (
          <li key={`${p.vehicle_id}-${p.component}-${p.dtc_code ?? ""}`}>
            <Link to={`/vehicles/${p.vehicle_id}`}>{p.vehicle_label}</Link>: {humanize(p.component)},{" "}
            <span className={`risk-${p.risk}`}>{percent(p.probability_30d)} within 30 days</span>
            <span className="muted"> · {p.recommended_action}</span>
          </li>
        ))}
      </ol>
    );
  return (
    <section className="card" aria-labelledby="mt-risk-title">
      <h2 id="mt-risk-title">Highest failure risk</h2>
      {body}
    </section>
  );
}
