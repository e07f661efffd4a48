import { useQuery } from "@tanstack/react-query";

import { ErrorNotice, Loading } from "@/components/Status";
import { formatDateTime, humanize } from "@/lib/format";
import { ChangeProblem, ChangeState, useQueuedChanges, useQueuedMutation } from "@/lib/offline";

import { acknowledgeAlertMutation, vehicleAlertsQueryOptions, type Alert } from "../api";

/** Acknowledged, or a button to acknowledge it (through the offline queue). */
function Acknowledgement({ alert }: { alert: Alert }) {
  const acknowledge = useQueuedMutation(acknowledgeAlertMutation);
  const change = useQueuedChanges().findLast((c) => c.entity?.type === "alert" && c.entity.id === alert.id);
  if (change && change.status !== "synced") {
    return (
      <>
        {" · "}
        <ChangeState change={change} />
        <ChangeProblem change={change} />
      </>
    );
  }
  if (alert.acknowledged_at) {
    const by = alert.acknowledged_by_name ? ` by ${alert.acknowledged_by_name}` : "";
    return <>{` · acknowledged${by}, ${formatDateTime(alert.acknowledged_at)}`}</>;
  }
  return (
    <>
      {" · "}
      <button
        type="button"
        className="button-link"
        onClick={() =>
          void acknowledge.mutate({ alertId: alert.id, vehicleId: alert.vehicle_id, message: alert.message })
        }
      >
        Acknowledge<span className="visually-hidden">: {alert.message}</span>
      </button>
    </>
  );
}

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
              <Acknowledgement alert={alert} />
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
