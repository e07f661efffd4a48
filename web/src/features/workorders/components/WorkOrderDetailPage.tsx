import { useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";

import { FactList, type Fact } from "@/components/FactList";
import { ErrorNotice } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { useAccess } from "@/lib/access";
import { isApiError } from "@/lib/api";
import { formatDateTime, formatNumber, humanize } from "@/lib/format";
import { ChangeProblem, ChangeState, LoadingOrOffline } from "@/lib/offline";

import { workOrderQueryOptions, type WorkOrder, type WorkOrderStatus } from "../api";
import { useWorkOrderEdit } from "../useWorkOrderEdit";
import { allowedMoves, downtime, fromLocalInput, MOVE_LABEL, STATUS_LABEL, toLocalInput } from "../workorders";
import "../workorders.css";
import { PriorityText, StatusBadge } from "./WorkOrderBadges";
import { WorkOrderLines, type LineInput } from "./WorkOrderLines";

const SOURCE_WORDS = { schedule: "A service schedule", alert: "An alert", defect: "An inspection defect", manual: "By hand" } as const;

function facts(order: WorkOrder): Fact[] {
  const list: Fact[] = [
    ["Vehicle", <VehicleLink key="v" vehicleId={order.vehicle_id} />],
    ["Status", <StatusBadge key="s" status={order.status} />],
    ["Kind", humanize(order.kind)],
    ["Component", humanize(order.component)],
    ["Priority", <PriorityText key="p" priority={order.priority} />],
    ["Vendor or shop", order.vendor || "—"],
    ["From", SOURCE_WORDS[order.source.kind]],
    ["Created", formatDateTime(order.created_at)],
  ];
  if (order.started_at) list.push(["Started", formatDateTime(order.started_at)]);
  if (order.completed_at) list.push(["Completed", formatDateTime(order.completed_at)]);
  if (order.cancelled_at) list.push(["Cancelled", formatDateTime(order.cancelled_at)]);
  if (order.completion_odometer_km !== null)
    list.push(["Odometer at completion", formatNumber(Number(order.completion_odometer_km), "km")]);
  if (order.completion_engine_hours !== null)
    list.push(["Engine hours at completion", formatNumber(Number(order.completion_engine_hours), "h")]);
  return list;
}

/** The moves the workflow allows from here, each a button. */
function StatusMoves({ order, onMove }: { order: WorkOrder; onMove: (status: WorkOrderStatus) => void }) {
  const moves = allowedMoves(order.status);
  if (!moves.length) return <p className="muted">{STATUS_LABEL[order.status]}: no further changes.</p>;
  return (
    <div className="wo-moves" role="group" aria-label="Change status">
      {moves.map((status) => (
        <button
          key={status}
          type="button"
          className={status === "cancelled" ? "button" : "button button-primary"}
          onClick={() => onMove(status)}
        >
          {MOVE_LABEL[status]}
        </button>
      ))}
    </div>
  );
}

/** Out of service from … until …: the vehicle's downtime for this work. */
function DowntimeForm({ order, editable, onSave }: { order: WorkOrder; editable: boolean; onSave: (from: string | null, until: string | null) => void }) {
  const id = useId();
  const [from, setFrom] = useState(toLocalInput(order.out_of_service_from));
  const [until, setUntil] = useState(toLocalInput(order.out_of_service_until));
  const [problem, setProblem] = useState("");
  const words = downtime(order);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const start = fromLocalInput(from);
    const end = fromLocalInput(until);
    if (end && !start) return setProblem("Give when the vehicle went out of service first.");
    if (start && end && Date.parse(end) < Date.parse(start)) return setProblem("Back in service must not be before out of service.");
    setProblem("");
    onSave(start, end);
  };
  return (
    <section className="card" aria-labelledby="wo-downtime-title">
      <h2 id="wo-downtime-title">Downtime</h2>
      <p data-testid="wo-downtime">{words ? `Out of service ${words}.` : "The vehicle has not been out of service for this work."}</p>
      {editable ? (
        <form className="wo-downtime-form" onSubmit={submit}>
          <div className="field-inline">
            <label htmlFor={`${id}-from`}>Out of service from</label>
            <input id={`${id}-from`} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="field-inline">
            <label htmlFor={`${id}-until`}>Back in service</label>
            <input id={`${id}-until`} type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
          </div>
          <button type="submit" className="button">
            Save downtime
          </button>
          {problem ? (
            <p className="form-error" role="alert">
              {problem}
            </p>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}

function WorkOrderView({ order }: { order: WorkOrder }) {
  const { edit, changes } = useWorkOrderEdit(order);
  const access = useAccess();
  const latest = changes.at(-1);
  const writer = access.can("maintenance:write");
  const editable = writer && (order.status === "open" || order.status === "in_progress");
  const pending = latest && latest.status !== "synced";
  return (
    <>
      <h1>
        Work order {order.number}: {order.title}
      </h1>
      {order.description ? <p className="lead">{order.description}</p> : null}
      <div className="record-sync" aria-live="polite">
        {latest ? <ChangeState change={latest} /> : null}
        {changes.map((change) => (
          <ChangeProblem key={change.id} change={change} />
        ))}
      </div>
      <div className="detail-grid">
        <section className="card" aria-labelledby="wo-record-title">
          <h2 id="wo-record-title">Record</h2>
          <FactList facts={facts(order)} />
          {writer ? <StatusMoves order={order} onMove={(status) => void edit({ status }, MOVE_LABEL[status])} /> : null}
          {pending ? <p className="muted small">A change is on its way; the page shows the server's copy until it lands.</p> : null}
        </section>
        <DowntimeForm
          key={`${order.out_of_service_from}-${order.out_of_service_until}`}
          order={order}
          editable={editable}
          onSave={(from, until) =>
            void edit({ out_of_service_from: from, out_of_service_until: until }, "Set the downtime")
          }
        />
        <WorkOrderLines
          order={order}
          editable={editable}
          onLines={(lines: LineInput[], describe) => void edit({ version: order.version, lines }, describe)}
        />
      </div>
    </>
  );
}

/** One work order: its record, status moves through the workflow, downtime, lines and totals. */
export function WorkOrderDetailPage() {
  const { workOrderId = "" } = useParams();
  const query = useQuery(workOrderQueryOptions(workOrderId));
  const back = (
    <p>
      <Link to="/work-orders">← All work orders</Link>
    </p>
  );
  if (query.isPending) return <LoadingOrOffline query={query} label="Loading the work order…" />;
  if (query.isError) {
    const missing = isApiError(query.error) && (query.error.isNotFound || query.error.status === 422);
    return (
      <>
        {back}
        <h1>{missing ? "Work order not found" : "Work order"}</h1>
        {missing ? <p>There is no such work order in this tenant.</p> : <ErrorNotice error={query.error} />}
      </>
    );
  }
  return (
    <>
      {back}
      <WorkOrderView order={query.data} />
    </>
  );
}
