import type { ReactNode } from "react";
import { Link } from "react-router";

import { formatNumber, humanize } from "@/lib/format";

import type { FleetSummary } from "../api";

/** Depots listed before "and N more". */
const DEPOTS_SHOWN = 8;

/** A number of the summary, marked with its path in the answer under `summary.` (a browser
 * test holds each against GET /fleet/summary). */
function Count({ figure, value }: { figure: string; value: number }) {
  return (
    <span className="dashboard-count" data-figure={`summary.${figure}`}>
      {formatNumber(value)}
    </span>
  );
}

interface Row {
  key: string;
  label: string;
  figure: string;
  value: number;
  href?: string;
}

function Rows({ rows }: { rows: Row[] }) {
  return (
    <ul className="dashboard-rows">
      {rows.map((row) => {
        const body = (
          <>
            <span className="dashboard-row-label">{row.label}</span>
            <Count figure={row.figure} value={row.value} />
          </>
        );
        return <li key={row.key}>{row.href ? <Link to={row.href}>{body}</Link> : <span className="dashboard-row">{body}</span>}</li>;
      })}
    </ul>
  );
}

function Card({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card dashboard-card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

const byCount = (counts: Record<string, number>) => Object.entries(counts).sort(([, a], [, b]) => b - a);

/**
 * The summary's breakdowns of the records, each row a link to the list it counts:
 * vehicles by status, type and depot (the vehicles list's facets take the same values), and
 * today's reservations by status.
 */
export function SummaryCards({ summary }: { summary: FleetSummary }) {
  const { vehicles, reservations_today: today } = summary;
  const depots = vehicles.by_depot;
  const hidden = depots.slice(DEPOTS_SHOWN).reduce((sum, depot) => sum + depot.vehicles, 0);
  return (
    <>
      <Card id="summary-status" title="Vehicles by status">
        <Rows
          rows={byCount(vehicles.by_status).map(([status, value]) => ({
            key: status,
            label: humanize(status),
            figure: `vehicles.by_status.${status}`,
            value,
            href: `/vehicles?status=${encodeURIComponent(status)}`,
          }))}
        />
      </Card>
      <Card id="summary-type" title="Vehicles by type">
        {Object.keys(vehicles.by_type).length ? (
          <Rows
            rows={byCount(vehicles.by_type).map(([type, value]) => ({
              key: type,
              label: humanize(type),
              figure: `vehicles.by_type.${type}`,
              value,
              href: `/vehicles?type=${encodeURIComponent(type)}`,
            }))}
          />
        ) : (
          <p className="muted">No vehicles yet.</p>
        )}
      </Card>
      <Card id="summary-depot" title="Vehicles by depot">
        {depots.length ? (
          <Rows
            rows={depots.slice(0, DEPOTS_SHOWN).map((depot) => ({
              key: depot.group_id ?? "none",
              label: depot.name ?? "No depot",
              figure: `vehicles.by_depot.${depot.group_id ?? "none"}`,
              value: depot.vehicles,
              href: depot.group_id ? `/vehicles?group=${encodeURIComponent(depot.group_id)}` : undefined,
            }))}
          />
        ) : (
          <p className="muted">No vehicles yet.</p>
        )}
        {hidden > 0 ? (
          <p className="muted dashboard-note">
            {depots.length - DEPOTS_SHOWN} more depots: {formatNumber(hidden)} vehicles
          </p>
        ) : null}
      </Card>
      {today ? (
        <Card id="summary-reservations" title="Reservations today">
          <p className="dashboard-headline">
            <Count figure="reservations_today.total" value={today.total} /> today
          </p>
          <Rows
            rows={byCount(today.by_status).map(([status, value]) => ({
              key: status,
              label: humanize(status),
              figure: `reservations_today.by_status.${status}`,
              value,
            }))}
          />
          <Link to="/reservations">All reservations</Link>
        </Card>
      ) : null}
    </>
  );
}
