import { useQuery } from "@tanstack/react-query";

import { ErrorNotice, Loading } from "@/components/Status";
import { formatDateTime, humanize } from "@/lib/format";

import { vehicleAlertsQueryOptions } from "../api";

export function VehicleAlerts({ vehicleId }: { vehicleId: string }) {
  const query = useQuery(vehicleAlertsQueryOptions(vehicleId));
  let body;
  if (query.isPending) body = <Loading />;
  else if (query.isError) body = <ErrorNotice error={query.error} />;
  else if (query.data.items.length === 0) body = <p className="muted">No alerts.</p>;
  else
    body = (
      <ul className="plain-list timeline">
        {query.data.items.map((alert) => (
          <li key={alert.id}>
            <span className={`badge badge-${alert.severity}`}>{humanize(alert.severity)}</span>{" "}
            <strong>{alert.message}</strong>
            <div className="muted">
              {alert.state === "open" ? "Open" : `Cleared ${formatDateTime(alert.cleared_at)}`}
              {" · opened "}
              {formatDateTime(alert.opened_at)}
              {alert.acknowledged_at ? " · acknowledged" : ""}
            </div>
          </li>
        ))}
      </ul>
    );
  return (
    <section className="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      {body}
    </section>
  );
}
