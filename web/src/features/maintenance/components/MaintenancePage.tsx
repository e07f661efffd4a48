import { useMemo, useState } from "react";
import { Link } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { formatDay, today } from "@/lib/dates";
import { useAccess } from "@/lib/access";
import { humanize } from "@/lib/format";
import { ChangeProblem, ChangeState, useChangesFor, useQueueChange } from "@/lib/offline";

import type { ScheduleDue } from "../api";
import { countDue, remainingWords, STATUS_WORDS } from "../calendar";
import "../maintenance.css";
import { useDueItems } from "../useDueItems";
import { DueCalendar } from "./DueCalendar";
import { FleetRisk } from "./FleetRisk";
import { MaintenanceNav } from "./MaintenanceNav";

export function DueBadge({ status }: { status: ScheduleDue["status"] }) {
  return <span className={`badge mt-${status}`}>{STATUS_WORDS[status]}</span>;
}

/** A work order for this service on this vehicle, through the offline queue (the server fills
 * in the title, component and kind from the schedule; completing it resets the schedule). */
function OpenWorkOrder({ item }: { item: ScheduleDue }) {
  const queueChange = useQueueChange();
  const entityId = `${item.schedule_id}:${item.vehicle_id}`;
  const latest = useChangesFor("work_order_request", entityId).at(-1);
  if (latest)
    return (
      <>
        <ChangeState change={latest} /> <ChangeProblem change={latest} />
        {latest.status === "synced" ? <Link to={`/work-orders?vehicle=${item.vehicle_id}`}>Its work orders</Link> : null}
      </>
    );
  return (
    <button
      type="button"
      className="button"
      aria-label={`Open work order: ${item.schedule_name}`}
      onClick={() =>
        void queueChange({
          kind: "work-orders.create",
          method: "POST",
          path: "/api/v1/work-orders",
          body: { vehicle_id: item.vehicle_id, source: { kind: "schedule", id: item.schedule_id } },
          describe: `Open a work order: ${item.schedule_name}`,
          entity: { type: "work_order_request", id: entityId },
          invalidates: [["work-orders"], ["maintenance"], ["vehicle-maintenance", item.vehicle_id]],
        })
      }
    >
      Open work order
    </button>
  );
}

function DueList({ items }: { items: readonly ScheduleDue[] }) {
  const writer = useAccess().can("maintenance:write");
  if (!items.length) return <p className="muted">Nothing due: every vehicle is within its schedules.</p>;
  return (
    <div className="table-scroll fit-rows" role="region" aria-label="Due and overdue services" tabIndex={0}>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Vehicle</th>
            <th scope="col">Service</th>
            <th scope="col">Due</th>
            <th scope="col">Left</th>
            {writer ? <th scope="col">Work order</th> : null}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={`${item.schedule_id}-${item.vehicle_id}`}>
              <td>
                <DueBadge status={item.status} />
              </td>
              <td>
                <VehicleLink vehicleId={item.vehicle_id} />
              </td>
              <td>
                {item.schedule_name}
                <div className="muted small">{humanize(item.component)}</div>
              </td>
              <td>
                {[
                  item.next_due_on ? formatDay(item.next_due_on) : null,
                  item.next_due_km !== null ? `at ${Math.round(Number(item.next_due_km)).toLocaleString()} km` : null,
                  item.next_due_hours !== null ? `at ${Math.round(Number(item.next_due_hours)).toLocaleString()} h` : null,
                ]
                  .filter(Boolean)
                  .join(", ") || "—"}
              </td>
              <td>{remainingWords(item)}</td>
              {writer ? (
                <td>
                  <OpenWorkOrder item={item} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Maintenance at a glance: how many services are overdue, due and due soon (from the live
 * meters), the list most urgent first, and a month's calendar of what falls due when.
 */
export function MaintenancePage() {
  const { items, isPending, error } = useDueItems();
  const [month, setMonth] = useState(() => today().slice(0, 7));
  const counts = useMemo(() => countDue(items), [items]);
  const due = useMemo(() => items.filter((item) => item.status !== "ok"), [items]);
  let body;
  if (isPending) body = <Loading label="Loading what is due…" />;
  else if (error) body = <ErrorNotice error={error} title="The schedules could not load." />;
  else
    body = (
      <>
        <ul className="mt-counts" aria-label="Services by status">
          <li className="mt-count mt-overdue">
            <span className="mt-count-value" data-testid="count-overdue">
              {counts.overdue}
            </span>{" "}
            overdue
          </li>
          <li className="mt-count mt-due">
            <span className="mt-count-value" data-testid="count-due">
              {counts.due}
            </span>{" "}
            due
          </li>
          <li className="mt-count mt-due_soon">
            <span className="mt-count-value" data-testid="count-due-soon">
              {counts.due_soon}
            </span>{" "}
            due soon
          </li>
        </ul>
        <section className="card" aria-labelledby="mt-due-title">
          <h2 id="mt-due-title">Due and overdue</h2>
          <DueList items={due} />
        </section>
        <FleetRisk />
        <section className="card" aria-labelledby="mt-calendar-title">
          <h2 id="mt-calendar-title">Calendar</h2>
          <DueCalendar month={month} onMonth={setMonth} items={items} />
        </section>
      </>
    );
  return (
    <>
      <div className="page-head">
        <h1>Maintenance</h1>
        <Link className="button" to="/work-orders?status=open">
          Open work orders
        </Link>
      </div>
      <MaintenanceNav />
      <div className="mt-stack">{body}</div>
    </>
  );
}
