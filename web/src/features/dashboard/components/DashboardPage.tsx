import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { formatDateTime, formatNumber, humanize } from "@/lib/format";
import { ACTIVITIES, STALE_AFTER_MS, STATUS_STYLE, activityStatus } from "@/lib/vehicleStatus";

import {
  dashboardQueryOptions,
  summaryQueryOptions,
  useRefreshOnLiveChanges,
  type Dashboard,
  type Figure,
  type UpcomingReservation,
} from "../api";
import "@/components/components.css";
import { SummaryCards } from "./SummaryCards";
import "./dashboard.css";

const SEVERITIES = ["critical", "warning", "info"] as const;

const plural = (count: number, one: string, many = `${one}s`) => (count === 1 ? one : many);

/** A number of the answer, marked with its path in it (`vehicles.moving`, a figure's key), so
 * a browser test can hold each one against the API. */
function Count({ figure, value }: { figure: string; value: number }) {
  return (
    <span className="dashboard-count" data-figure={figure}>
      {formatNumber(value)}
    </span>
  );
}

function VehiclesCard({ vehicles }: { vehicles: Dashboard["vehicles"] }) {
  return (
    <section className="card dashboard-card" aria-labelledby="dashboard-vehicles">
      <h2 id="dashboard-vehicles">Vehicles</h2>
      <p className="dashboard-headline">
        <Count figure="vehicles.total" value={vehicles.total} /> {plural(vehicles.total, "vehicle")} in
        the fleet
      </p>
      <ul className="dashboard-rows">
        {ACTIVITIES.map((activity) => {
          const style = STATUS_STYLE[activityStatus(activity)];
          return (
            <li key={activity}>
              <Link to={`/vehicles?activity=${activity}`} title={style.description}>
                <span className="dashboard-swatch" style={{ background: style.color }} aria-hidden="true" />
                <span className="dashboard-row-label">{style.label}</span>
                <Count figure={`vehicles.${activity}`} value={vehicles[activity]} />
              </Link>
            </li>
          );
        })}
        <li>
          <Link to="/alerts" title={STATUS_STYLE.alert.description}>
            <span className="dashboard-swatch" style={{ background: STATUS_STYLE.alert.color }} aria-hidden="true" />
            <span className="dashboard-row-label">In alert</span>
            <Count figure="vehicles.in_alert" value={vehicles.in_alert} />
          </Link>
        </li>
      </ul>
      <p className="muted dashboard-note">
        Retired, not counted: <Count figure="vehicles.retired" value={vehicles.retired} />
      </p>
    </section>
  );
}

function AlertsCard({ alerts }: { alerts: Dashboard["alerts"] }) {
  const critical = alerts.by_severity.critical > 0;
  return (
    <section
      className={`card dashboard-card${critical ? " dashboard-card-critical" : ""}`}
      aria-labelledby="dashboard-alerts"
    >
      <h2 id="dashboard-alerts">Open alerts</h2>
      <p className="dashboard-headline">
        <Count figure="alerts.open" value={alerts.open} /> open {plural(alerts.open, "alert")}
      </p>
      <ul className="dashboard-rows">
        {SEVERITIES.map((severity) => (
          <li key={severity} className={`dashboard-severity-${severity}`}>
            <Link to={`/alerts?severity=${severity}`}>
              <span className="dashboard-row-label">{humanize(severity)}</span>
              <Count figure={`alerts.by_severity.${severity}`} value={alerts.by_severity[severity]} />
            </Link>
          </li>
        ))}
        <li>
          <Link to="/alerts?acknowledged=no">
            <span className="dashboard-row-label">Not acknowledged</span>
            <Count figure="alerts.unacknowledged" value={alerts.unacknowledged} />
          </Link>
        </li>
      </ul>
    </section>
  );
}

const SERVICE_ROWS = [
  { key: "overdue", label: "Overdue" },
  { key: "due", label: "Due" },
  { key: "due_soon", label: "Due soon" },
] as const;

/** Vehicles by their worst service schedule, open work orders and parts to reorder. */
function MaintenanceCard({ counts }: { counts: NonNullable<Dashboard["maintenance"]> }) {
  const needing = counts.due + counts.overdue;
  return (
    <section
      className={`card dashboard-card${counts.overdue > 0 ? " dashboard-card-critical" : ""}`}
      aria-labelledby="dashboard-maintenance"
    >
      <h2 id="dashboard-maintenance">Maintenance</h2>
      <p className="dashboard-headline">
        <span className="dashboard-count">{formatNumber(needing)}</span> {plural(needing, "vehicle")} due for service
      </p>
      <ul className="dashboard-rows">
        {SERVICE_ROWS.map(({ key, label }) => (
          <li key={key}>
            <Link to="/maintenance">
              <span className="dashboard-row-label">{label}</span>
              <Count figure={`maintenance.${key}`} value={counts[key]} />
            </Link>
          </li>
        ))}
        <li>
          <Link to="/work-orders?status=open">
            <span className="dashboard-row-label">Open work orders</span>
            <Count figure="maintenance.open_work_orders" value={counts.open_work_orders} />
          </Link>
        </li>
        <li>
          <Link to="/maintenance/parts">
            <span className="dashboard-row-label">Parts to reorder</span>
            <Count figure="maintenance.low_stock_parts" value={counts.low_stock_parts} />
          </Link>
        </li>
      </ul>
    </section>
  );
}

/** Any figure the server sends, by its own label and unit: later domains add theirs. */
function FigureCard({ figure }: { figure: Figure }) {
  const id = `dashboard-figure-${figure.key}`;
  return (
    <section className="card dashboard-card" aria-labelledby={id}>
      <h2 id={id}>{figure.label}</h2>
      <p className="dashboard-headline">
        <span className="dashboard-count" data-figure={figure.key}>
          {formatNumber(figure.value)}
        </span>
        {figure.unit ? ` ${figure.unit}` : null}
      </p>
      {figure.detail ? <p className="muted dashboard-note">{figure.detail}</p> : null}
      {figure.href ? (
        <Link to={figure.href}>
          Details<span className="visually-hidden">: {figure.label}</span>
        </Link>
      ) : null}
    </section>
  );
}

function DevicesCard({ devices }: { devices: NonNullable<Dashboard["devices"]> }) {
  const quiet = devices.offline + devices.never_reported;
  const minutes = Math.round(STALE_AFTER_MS / 60_000);
  return (
    <section className="card dashboard-card" aria-labelledby="dashboard-devices">
      <h2 id="dashboard-devices">Devices</h2>
      <p className="dashboard-headline">
        <Count figure="devices.not_reporting" value={quiet} /> of{" "}
        <Count figure="devices.total" value={devices.total} /> not reporting
      </p>
      <ul className="dashboard-rows dashboard-rows-plain">
        <li>
          <span className="dashboard-row-label">Offline (silent for {minutes} min)</span>
          <Count figure="devices.offline" value={devices.offline} />
        </li>
        <li>
          <span className="dashboard-row-label">Never reported</span>
          <Count figure="devices.never_reported" value={devices.never_reported} />
        </li>
        <li>
          <span className="dashboard-row-label">Online</span>
          <Count figure="devices.online" value={devices.online} />
        </li>
      </ul>
      <Link to="/devices">All devices</Link>
    </section>
  );
}

function vehicleName(reservation: UpcomingReservation): string {
  return reservation.vehicle_plate || reservation.vehicle_name || "(unnamed vehicle)";
}

function ReservationsCard({ outlook }: { outlook: NonNullable<Dashboard["reservations"]> }) {
  return (
    <section className="card dashboard-card dashboard-card-wide" aria-labelledby="dashboard-reservations">
      <h2 id="dashboard-reservations">Upcoming reservations</h2>
      <p className="dashboard-headline">
        <Count figure="reservations.next_24h" value={outlook.next_24h} /> starting in the next 24 hours
      </p>
      {outlook.upcoming.length ? (
        <ol className="dashboard-reservations" data-figure="reservations.upcoming">
          {outlook.upcoming.map((reservation) => (
            <li key={reservation.id}>
              <time dateTime={reservation.starts_at}>{formatDateTime(reservation.starts_at)}</time>
              <Link to={`/vehicles/${reservation.vehicle_id}`}>{vehicleName(reservation)}</Link>
              <span>{reservation.driver_name ?? (reservation.driver_id ? "A driver" : "No driver")}</span>
              {reservation.status === "requested" ? <span className="dashboard-tag">Requested</span> : null}
              {reservation.purpose ? <span className="muted dashboard-purpose">{reservation.purpose}</span> : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No reservations ahead.</p>
      )}
      <Link to="/reservations">All reservations</Link>
    </section>
  );
}

/** The landing page: the fleet at a glance, each figure a link to the list behind it. */
export function DashboardPage() {
  const query = useQuery(dashboardQueryOptions());
  const summary = useQuery(summaryQueryOptions());
  useRefreshOnLiveChanges();
  const board = query.data;
  return (
    <div className="dashboard">
      <div className="page-head">
        <h1>Fleet overview</h1>
        <Link className="button button-primary dashboard-map-link" to="/map">
          Open the live map
        </Link>
      </div>
      {query.isError && !board ? <ErrorNotice error={query.error} title="The figures could not be loaded." /> : null}
      {!board && !query.isError ? <Loading label="Loading the figures…" /> : null}
      {board ? (
        <>
          <p className="muted dashboard-updated">
            Updated <time dateTime={board.generated_at}>{formatDateTime(board.generated_at)}</time>
          </p>
          <div className="dashboard-grid">
            <VehiclesCard vehicles={board.vehicles} />
            <AlertsCard alerts={board.alerts} />
            {board.figures.map((figure) => (
              <FigureCard key={figure.key} figure={figure} />
            ))}
            {board.maintenance ? <MaintenanceCard counts={board.maintenance} /> : null}
            {board.devices ? <DevicesCard devices={board.devices} /> : null}
            {board.reservations ? <ReservationsCard outlook={board.reservations} /> : null}
            {summary.data ? <SummaryCards summary={summary.data} /> : null}
          </div>
          {summary.isError && !summary.data ? (
            <ErrorNotice error={summary.error} title="The breakdowns could not be loaded." />
          ) : null}
        </>
      ) : null}
    </div>
  );
}
