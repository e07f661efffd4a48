import { useState } from "react";

import { ConfirmButton } from "@/components/ConfirmButton";
import { ErrorNotice } from "@/components/Status";
import { formatDateTime } from "@/lib/format";

import { useDeleteIntegration, useTestIntegration, useUpdateIntegration, type Integration } from "../api";
import { providerLabel } from "../providers";
import { lagText, sentence, stateWords, timeAgo } from "../status";
import { EditConnection } from "./EditConnection";
import { TestResult } from "./TestResult";
import { VendorVehicles } from "./VendorVehicles";

function Facts({ integration, now }: { integration: Integration; now: number }) {
  const status = integration.status;
  const showError = status?.last_error && status.state !== "ok";
  return (
    <dl className="connection-facts">
      <div>
        <dt>Last success</dt>
        <dd title={status?.last_success_at ? formatDateTime(status.last_success_at) : undefined}>
          {timeAgo(status?.last_success_at, now)}
        </dd>
      </div>
      <div>
        <dt>Lag</dt>
        <dd>{lagText(status?.lag_s)}</dd>
      </div>
      <div>
        <dt>Records, last hour</dt>
        <dd>{(status?.records_last_hour ?? 0).toLocaleString()}</dd>
      </div>
      {status?.skipped_total ? (
        <div>
          <dt>Skipped</dt>
          <dd title="Records that could not be read, and positions of vehicles not matched yet">
            {status.skipped_total.toLocaleString()}
          </dd>
        </div>
      ) : null}
      {showError ? (
        <div className="connection-error">
          <dt>Last error</dt>
          <dd>
            {sentence(status.last_error)}{" "}
            <span className="muted small" title={formatDateTime(status.last_error_at)}>
              ({timeAgo(status.last_error_at, now)})
            </span>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/** One connection: its health, refreshed with the list, and what can be done with it. */
export function ConnectionItem({ integration, now }: { integration: Integration; now: number }) {
  const [editing, setEditing] = useState(false);
  const [showVehicles, setShowVehicles] = useState(false);
  const update = useUpdateIntegration();
  const remove = useDeleteIntegration();
  const test = useTestIntegration();
  const state = stateWords(integration);
  const error = remove.error ?? (editing ? null : update.error);
  return (
    <li className={`connection tone-${state.tone}`} aria-labelledby={`connection-${integration.id}`}>
      <div className="connection-head">
        <div className="connection-title">
          <h3 id={`connection-${integration.id}`}>{integration.name}</h3>
          <span className="muted">{providerLabel(integration.provider)}</span>{" "}
          <span className={`badge state-badge state-${state.tone}`} data-state={integration.paused ? "paused" : integration.status?.state}>
            {state.label}
          </span>
          <div className="muted small">{state.explain}</div>
        </div>
        <div className="actions">
          <button
            type="button"
            className="button button-small"
            disabled={test.isPending}
            onClick={() => test.mutate(integration.id)}
          >
            {test.isPending ? "Testing…" : "Test connection"}
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={update.isPending}
            onClick={() =>
              update.mutate({ id: integration.id, body: { version: integration.version, paused: !integration.paused } })
            }
          >
            {integration.paused ? "Resume" : "Pause"}
          </button>
          <button type="button" className="button button-small" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            Edit
          </button>
          <button
            type="button"
            className="button button-small"
            aria-expanded={showVehicles}
            onClick={() => setShowVehicles(!showVehicles)}
          >
            Vehicles
          </button>
          <ConfirmButton
            label="Delete"
            ariaLabel={`Delete ${integration.name}`}
            className="button button-danger button-small"
            prompt={`Delete “${integration.name}”? Polling stops; the positions it brought in stay.`}
            confirmLabel="Delete connection"
            pending={remove.isPending}
            onConfirm={() => remove.mutate({ id: integration.id, version: integration.version })}
          />
        </div>
      </div>
      <Facts integration={integration} now={now} />
      {error ? <ErrorNotice error={error} /> : null}
      <TestResult check={test.data} error={test.error} />
      {editing ? (
        <EditConnection key={integration.version} integration={integration} onDone={() => setEditing(false)} />
      ) : null}
      {showVehicles ? <VendorVehicles integration={integration} now={now} /> : null}
    </li>
  );
}
