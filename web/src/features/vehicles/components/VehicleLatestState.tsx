import { useQuery } from "@tanstack/react-query";

import { ErrorNotice, Loading } from "@/components/Status";
import { formatDateTime, formatSpeed } from "@/lib/format";

import { vehicleStateQueryOptions } from "../api";

function yesNo(value: boolean | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value ? "On" : "Off";
}

export function VehicleLatestState({ vehicleId }: { vehicleId: string }) {
  const query = useQuery(vehicleStateQueryOptions(vehicleId));
  let body;
  if (query.isPending) body = <Loading />;
  else if (query.isError) body = <ErrorNotice error={query.error} />;
  else if (!query.data.state) body = <p className="muted">No position received yet.</p>;
  else {
    const state = query.data.state;
    body = (
      <dl className="facts">
        <div>
          <dt>Fix time</dt>
          <dd>{formatDateTime(state.fix_time)}</dd>
        </div>
        <div>
          <dt>Position</dt>
          <dd>
            {state.latitude.toFixed(5)}, {state.longitude.toFixed(5)}
          </dd>
        </div>
        <div>
          <dt>Speed</dt>
          <dd>{formatSpeed(state.speed_kmh)}</dd>
        </div>
        <div>
          <dt>Ignition</dt>
          <dd>{yesNo(state.ignition)}</dd>
        </div>
        <div>
          <dt>Satellites</dt>
          <dd>{state.satellites ?? "—"}</dd>
        </div>
      </dl>
    );
  }
  return (
    <section className="card" aria-labelledby="state-title">
      <h2 id="state-title">Latest state</h2>
      {body}
    </section>
  );
}
