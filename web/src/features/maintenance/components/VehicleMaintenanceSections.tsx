import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { formatDay } from "@/lib/dates";
import { formatDateTime, humanize } from "@/lib/format";

import { vehicleMaintenanceQueryOptions, vehicleWorkOrdersQueryOptions, type WorkOrder } from "../api";
import { byUrgency, remainingWords } from "../calendar";
import "../maintenance.css";
import { byRisk, daysWords, driverSentence, percent, vehiclePredictionsQueryOptions, type Prediction } from "../predictions";
import { DueBadge } from "./MaintenancePage";

const STATUS_WORDS: Record<WorkOrder["status"], string> = {
  open: "Open",
  in_progress: "In progress",
  completed: "Completed",
  cancelled: "Cancelled",
};

function money(amount: string, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

/** The vehicle's schedules (what is due next) and its work orders, newest first. */
export function VehicleServiceHistory({ vehicleId }: { vehicleId: string }) {
  const status = useQuery(vehicleMaintenanceQueryOptions(vehicleId));
  const orders = useQuery(vehicleWorkOrdersQueryOptions(vehicleId));
  let schedules;
  if (status.isPending) schedules = <Loading />;
  else if (status.isError) schedules = <ErrorNotice error={status.error} />;
  else if (!status.data.schedules.length) schedules = <p className="muted">No service schedule covers this vehicle.</p>;
  else
    schedules = (
      <ul className="plain-list">
        {[...status.data.schedules].sort(byUrgency).map((item) => (
          <li key={item.schedule_id}>
            <DueBadge status={item.status} /> <strong>{item.schedule_name}</strong>: {remainingWords(item)}
            {item.next_due_on ? <span className="muted">, due {formatDay(item.next_due_on)}</span> : null}
          </li>
        ))}
      </ul>
    );
  let history;
  if (orders.isPending) history = <Loading />;
  else if (orders.isError) history = <ErrorNotice error={orders.error} />;
  else if (!orders.data.items.length) history = <p className="muted">No work orders yet.</p>;
  else
    history = (
      <ol className="plain-list timeline" aria-label="Work orders">
        {orders.data.items.map((order) => (
          <li key={order.id}>
            <Link to={`/work-orders/${order.id}`}>
              {order.number}. {order.title}
            </Link>{" "}
            <span className="muted">
              · {STATUS_WORDS[order.status]} · {humanize(order.component)} ·{" "}
              {formatDateTime(order.completed_at ?? order.created_at)} · {money(order.total, order.currency)}
            </span>
          </li>
        ))}
      </ol>
    );
  return (
    <section className="card" aria-labelledby="service-title">
      <h2 id="service-title">Service</h2>
      {schedules}
      <h3>History</h3>
      {history}
      <p>
        <Link to={`/work-orders?vehicle=${vehicleId}`}>All work orders for this vehicle</Link>
      </p>
    </section>
  );
}

const SOURCE_WORDS: Record<Prediction["source"], string> = {
  prior: ", from the population prior (this fleet has little history yet)",
  tenant: ", from this fleet's own history",
  blended: ", from this fleet's history blended with the population prior",
  dtc: ", from an active fault code",
};

function PredictionItem({ prediction }: { prediction: Prediction }) {
  const level = prediction.risk;
  const drivers = [...prediction.drivers].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  const name = humanize(prediction.component) + (prediction.dtc_code ? ` (fault code ${prediction.dtc_code})` : "");
  return (
    <li className="risk-item">
      <h3>
        <span>{name}</span>
        <span className={`risk-${level}`}>
          {percent(prediction.probability_30d)} chance of failing within 30 days
        </span>
      </h3>
      <p>
        Failure expected {daysWords(prediction)}. <strong>{prediction.recommended_action}</strong>
      </p>
      <p className="muted small">
        Confidence {percent(prediction.confidence)}
        {SOURCE_WORDS[prediction.source] ?? ""}
        {prediction.model_version ? `, model version ${prediction.model_version}` : ""}, computed{" "}
        {formatDateTime(prediction.computed_at)}.
      </p>
      {drivers.length ? (
        <>
          <p className="small">What drove it:</p>
          <ul className="risk-drivers">
            {drivers.map((driver) => (
              <li key={driver.feature}>{driverSentence(driver)}</li>
            ))}
          </ul>
        </>
      ) : null}
    </li>
  );
}

/** Each component's predicted failure risk, most at risk first, each explained. */
export function VehicleRisk({ vehicleId }: { vehicleId: string }) {
  const query = useQuery(vehiclePredictionsQueryOptions(vehicleId));
  let body;
  if (query.isPending) body = <Loading />;
  else if (query.isError) body = <ErrorNotice error={query.error} title="The predictions could not load." />;
  else if (!query.data.items.length) body = <p className="muted">No predictions for this vehicle yet.</p>;
  else
    body = (
      <ul className="risk-list">
        {[...query.data.items].sort(byRisk).map((p) => (
          <PredictionItem key={`${p.component}-${p.dtc_code ?? ""}`} prediction={p} />
        ))}
      </ul>
    );
  return (
    <section className="card" aria-labelledby="risk-title">
      <h2 id="risk-title">Failure risk</h2>
      {body}
    </section>
  );
}

/** Both, as the vehicle page composes them in. */
export function VehicleMaintenanceSections({ vehicleId }: { vehicleId: string }) {
  return (
    <>
      <VehicleServiceHistory vehicleId={vehicleId} />
      <VehicleRisk vehicleId={vehicleId} />
    </>
  );
}
