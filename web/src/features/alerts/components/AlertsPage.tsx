import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";

import { NoAccess } from "@/components/NoAccess";
import { ErrorNotice } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { VirtualTable, type Column } from "@/components/VirtualTable";
import { useAccess } from "@/lib/access";
import { errorMessage } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import {
  ChangeProblem,
  ChangeState,
  queuedNotice,
  useOnline,
  useQueuedChanges,
  useQueuedMutation,
  type QueuedChange,
} from "@/lib/offline";

import {
  acknowledgedText,
  acknowledgeInboxAlertMutation,
  alertListQueryOptions,
  type Alert,
  type AlertFilters,
} from "../api";
import { AlertFiltersForm } from "./AlertFiltersForm";
import { isOpenCritical, SeverityBadge } from "./SeverityBadge";
import { useAlertFilters } from "./useAlertFilters";
import "./alerts.css";

interface Outcome {
  acknowledged: number;
  failures: string[];
}

/**
 * Several alerts, one queued request each (offline too): shown acknowledged at once, sent
 * when the network allows. What could not be queued is said here; what the server refuses
 * later is listed above the table (and in the header's sync panel) to resolve.
 */
function useBulkAcknowledge(rows: readonly Alert[]) {
  const acknowledge = useQueuedMutation(acknowledgeInboxAlertMutation);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = async (ids: string[]) => {
    setBusy(true);
    setOutcome(null);
    const message = (id: string) => rows.find((alert) => alert.id === id)?.message ?? "alert";
    const results = await Promise.allSettled(
      ids.map((id) => acknowledge.mutate({ alertId: id, message: message(id) })),
    );
    const failures = results.flatMap((r) => (r.status === "rejected" ? [errorMessage(r.reason)] : []));
    setOutcome({ acknowledged: results.length - failures.length, failures: [...new Set(failures)] });
    setBusy(false);
  };
  return { run, busy, outcome };
}

/** Each alert's latest queued acknowledgement (from here or the vehicle's page). */
function useAcknowledgements(): Map<string, QueuedChange> {
  const changes = useQueuedChanges();
  return useMemo(() => {
    const byAlert = new Map<string, QueuedChange>();
    for (const change of changes) {
      if (change.entity?.type === "alert") byAlert.set(change.entity.id, change);
    }
    return byAlert;
  }, [changes]);
}

interface Selection {
  canAck: boolean;
  selected: Set<string>;
  toggle: (id: string) => void;
  acknowledgeOne: (id: string) => void;
  busy: boolean;
  /** The header's "select all" box. */
  header: ReactNode;
  acknowledgements: Map<string, QueuedChange>;
}

function columns({ canAck, selected, toggle, acknowledgeOne, busy, header, acknowledgements }: Selection): Column<Alert>[] {
  const select: Column<Alert> = {
    key: "select",
    header,
    width: "3rem",
    className: "cell-check",
    cell: (alert) =>
      alert.acknowledged_at ? null : (
        <input
          type="checkbox"
          aria-label={`Select alert: ${alert.message}`}
          checked={selected.has(alert.id)}
          onChange={() => toggle(alert.id)}
        />
      ),
  };
  const action: Column<Alert> = {
    key: "action",
    header: <span className="visually-hidden">Actions</span>,
    width: "9.5rem",
    cell: (alert) =>
      alert.acknowledged_at ? null : (
        <button
          type="button"
          className="button button-small"
          disabled={busy}
          aria-label={`Acknowledge alert: ${alert.message}`}
          onClick={() => acknowledgeOne(alert.id)}
        >
          Acknowledge
        </button>
      ),
  };
  const base: Column<Alert>[] = [
    {
      key: "severity",
      header: "Severity",
      width: "8.5rem",
      cell: (alert) => <SeverityBadge alert={alert} />,
    },
    {
      key: "message",
      header: "Alert",
      className: "cell-wrap",
      cell: (alert) => (
        <span className="alert-message" title={alert.message}>
          {alert.message}
        </span>
      ),
    },
    { key: "vehicle", header: "Vehicle", width: "7rem", cell: (a) => <VehicleLink vehicleId={a.vehicle_id} /> },
    {
      key: "opened",
      header: "Opened",
      width: "10.5rem",
      className: "cell-wrap",
      cell: (a) => <span>{formatDateTime(a.opened_at)}</span>,
    },
    {
      key: "state",
      header: "State",
      width: "10.5rem",
      className: "cell-wrap",
      cell: (alert) =>
        alert.state === "open" ? (
          <span>
            <span className="badge badge-open">Open</span>
          </span>
        ) : (
          <span>
            <span className="badge badge-cleared">Cleared</span> {formatDateTime(alert.cleared_at)}
          </span>
        ),
    },
    {
      key: "acknowledged",
      header: "Acknowledged",
      width: "14rem",
      className: "cell-wrap",
      cell: (alert) => {
        const change = acknowledgements.get(alert.id);
        if (change && change.status !== "synced") return <ChangeState change={change} />;
        return alert.acknowledged_at ? (
          <span className="alert-ack" title={acknowledgedText(alert)}>
            {acknowledgedText(alert)}
          </span>
        ) : (
          <span className="muted">Not yet</span>
        );
      },
    },
  ];
  return canAck ? [select, ...base, action] : base;
}

function AlertInbox({ canAck }: { canAck: boolean }) {
  const { filters, setFilter } = useAlertFilters();
  const query = useInfiniteQuery(alertListQueryOptions(filters));
  const rows = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const bulk = useBulkAcknowledge(rows);
  const online = useOnline();
  const acknowledgements = useAcknowledgements();
  const problems = [...acknowledgements.values()].filter((c) => c.status === "failed" || c.status === "conflict");
  const pending = rows.filter((alert) => !alert.acknowledged_at);
  const chosen = pending.filter((alert) => selected.has(alert.id)).map((alert) => alert.id);
  const allChosen = pending.length > 0 && chosen.length === pending.length;

  const onFilter = (name: keyof AlertFilters, value: string | undefined) => {
    setSelected(new Set());
    setFilter(name, value);
  };
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const acknowledge = async (ids: string[]) => {
    await bulk.run(ids);
    setSelected(new Set());
  };
  const header = (
    <input
      type="checkbox"
      aria-label="Select every unacknowledged alert shown"
      checked={allChosen}
      disabled={pending.length === 0}
      onChange={() => setSelected(allChosen ? new Set() : new Set(pending.map((a) => a.id)))}
    />
  );

  return (
    <>
      <AlertFiltersForm filters={filters} onChange={onFilter} />
      {canAck ? (
        <div className="bulk-bar">
          <button
            type="button"
            className="button button-primary"
            disabled={chosen.length === 0 || bulk.busy}
            onClick={() => void acknowledge(chosen)}
          >
            {bulk.busy ? "Acknowledging…" : `Acknowledge selected (${chosen.length})`}
          </button>
          <div role="status" aria-live="polite">
            {bulk.outcome && bulk.outcome.acknowledged > 0
              ? queuedNotice(
                  `Acknowledged ${bulk.outcome.acknowledged} alert${bulk.outcome.acknowledged === 1 ? "" : "s"}.`,
                  online,
                )
              : null}
          </div>
        </div>
      ) : null}
      {bulk.outcome && bulk.outcome.failures.length > 0 ? (
        <div className="notice notice-error" role="alert">
          Some alerts were not acknowledged: {bulk.outcome.failures.join(" ")}
        </div>
      ) : null}
      {problems.length > 0 ? (
        <section className="alert-problems" aria-label="Acknowledgements to resolve">
          {problems.map((change) => (
            <div key={change.id}>
              <p>{change.label}</p>
              <ChangeProblem change={change} />
            </div>
          ))}
        </section>
      ) : null}
      {query.isError && rows.length === 0 ? (
        <ErrorNotice error={query.error} title="Can't load alerts." />
      ) : (
        <VirtualTable
          rows={rows}
          columns={columns({
            canAck,
            selected,
            toggle,
            acknowledgeOne: (id) => void acknowledge([id]),
            busy: bulk.busy,
            header,
            acknowledgements,
          })}
          rowKey={(alert) => alert.id}
          rowClassName={(alert) => (isOpenCritical(alert) ? "row-danger row-critical" : undefined)}
          label="Alerts list, critical first, then newest first"
          noun={["alert", "alerts"]}
          isPending={query.isPending}
          hasNextPage={query.hasNextPage}
          isFetchingNextPage={query.isFetchingNextPage}
          fetchNextPage={query.fetchNextPage}
          emptyText="No alerts match these filters."
          rowHeight={56}
        />
      )}
      {query.isError && rows.length > 0 ? <ErrorNotice error={query.error} /> : null}
    </>
  );
}

export function AlertsPage() {
  const access = useAccess();
  return (
    <>
      <h1>Alerts</h1>
      {access.can("vehicles:read") ? (
        <AlertInbox canAck={access.can("alerts:acknowledge")} />
      ) : (
        <NoAccess role={access.role} what="see alerts" />
      )}
    </>
  );
}
