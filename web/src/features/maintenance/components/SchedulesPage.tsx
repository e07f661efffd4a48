import { useQuery } from "@tanstack/react-query";

import { ErrorNotice } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { humanize } from "@/lib/format";
import { LoadingOrOffline } from "@/lib/offline";

import { schedulesQueryOptions, type ServiceSchedule } from "../api";
import "../maintenance.css";
import { DueBadge } from "./MaintenancePage";
import { MaintenanceNav } from "./MaintenanceNav";

/** "Every 15,000 km, 500 engine hours or 12 months, whichever first". */
export function intervalWords(s: Pick<ServiceSchedule, "interval_km" | "interval_hours" | "interval_days" | "interval_months">): string {
  const parts: string[] = [];
  if (s.interval_km !== null) parts.push(`${Math.round(Number(s.interval_km)).toLocaleString()} km`);
  if (s.interval_hours !== null) parts.push(`${Math.round(Number(s.interval_hours)).toLocaleString()} engine hours`);
  if (s.interval_months !== null) parts.push(s.interval_months === 1 ? "1 month" : `${s.interval_months} months`);
  if (s.interval_days !== null) parts.push(s.interval_days === 1 ? "1 day" : `${s.interval_days} days`);
  if (!parts.length) return "—";
  if (parts.length === 1) return `Every ${parts[0]}`;
  return `Every ${parts.slice(0, -1).join(", ")} or ${parts.at(-1)}, whichever first`;
}

function soonWords(s: ServiceSchedule): string {
  const parts: string[] = [];
  if (Number(s.soon_km) > 0) parts.push(`${Math.round(Number(s.soon_km)).toLocaleString()} km`);
  if (Number(s.soon_hours) > 0) parts.push(`${Math.round(Number(s.soon_hours))} h`);
  if (s.soon_days > 0) parts.push(`${s.soon_days} days`);
  return parts.length ? `${parts.join(" / ")} before` : "—";
}

function countsWords(s: ServiceSchedule): string {
  const v = s.vehicles;
  if (!v) return "—";
  return `${v.overdue ?? 0} overdue, ${v.due ?? 0} due, ${v.due_soon ?? 0} due soon, ${v.ok ?? 0} OK`;
}

/** The service schedules, each with how many of its vehicles are in each state. */
export function SchedulesPage() {
  const query = useQuery(schedulesQueryOptions());
  let body;
  if (query.isPending) body = <LoadingOrOffline query={query} label="Loading schedules…" />;
  else if (query.isError) body = <ErrorNotice error={query.error} title="The schedules could not load." />;
  else if (!query.data.items.length) body = <p className="muted">No service schedules yet.</p>;
  else
    body = (
      <div className="table-scroll fit-rows" role="region" aria-label="Service schedules" tabIndex={0}>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Schedule</th>
              <th scope="col">For</th>
              <th scope="col">Interval</th>
              <th scope="col">Due soon</th>
              <th scope="col">Status</th>
              <th scope="col">Vehicles</th>
            </tr>
          </thead>
          <tbody>
            {query.data.items.map((s) => (
              <tr key={s.id}>
                <td>
                  {s.name}
                  <div className="muted small">
                    {humanize(s.component)}
                    {s.enabled ? "" : " · paused"}
                  </div>
                </td>
                <td>{s.vehicle_id ? <VehicleLink vehicleId={s.vehicle_id} /> : "A group"}</td>
                <td>{intervalWords(s)}</td>
                <td>{soonWords(s)}</td>
                <td>
                  <DueBadge status={s.status} />
                </td>
                <td className="small">{countsWords(s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <>
      <h1>Service schedules</h1>
      <MaintenanceNav />
      {body}
    </>
  );
}
