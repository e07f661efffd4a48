import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { isForbidden } from "@/lib/formErrors";

import { integrationsQueryOptions, STATUS_REFRESH_MS, type Integration } from "../api";
import { AddConnection } from "./AddConnection";
import { ConnectionItem } from "./ConnectionItem";
import "./integrations.css";

const MANAGE = "integrations:manage" as const;

/** The time now, renewed with the list, so "… ago" never goes stale between refreshes. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function Connections({ hidden }: { hidden: string | null }) {
  const access = useAccess();
  const integrations = useQuery(integrationsQueryOptions());
  const now = useNow(STATUS_REFRESH_MS);
  if (integrations.isPending) return <Loading label="Loading connections…" />;
  if (integrations.isError) {
    return isForbidden(integrations.error) ? (
      <NoAccess role={access.role} what="manage integrations" />
    ) : (
      <ErrorNotice error={integrations.error} title="Can't load the connections." />
    );
  }
  const shown = integrations.data.filter((integration) => integration.id !== hidden);
  if (shown.length === 0) {
    return <p className="muted">No connections yet. Add one to bring in positions from a telematics cloud or a broker.</p>;
  }
  return (
    <ul className="plain-list connection-list" aria-label="Connections">
      {shown.map((integration) => (
        <ConnectionItem key={integration.id} integration={integration} now={now} />
      ))}
    </ul>
  );
}

/**
 * Settings → Integrations: the tenant's telematics clouds (Geotab, Samsara, Verizon Connect)
 * and MQTT brokers, how each is doing (refreshed every few seconds), adding, testing,
 * pausing, editing and deleting them, and matching their vehicles to ours. Owners and admins.
 */
export function IntegrationsPage() {
  const access = useAccess();
  const [adding, setAdding] = useState(false);
  const [draft, setDraft] = useState<string | null>(null);
  const [saved, setSaved] = useState<Integration | null>(null);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/settings">Settings</Link> <span aria-hidden="true">/</span> Integrations
      </p>
      <h1>Integrations</h1>
      <p className="lead">
        Positions from Samsara, Geotab, Verizon Connect or an MQTT broker, polled by Fleetyard and shown like your own
        trackers’.
      </p>
      {!access.can(MANAGE) ? (
        <NoAccess role={access.role} what="manage integrations" />
      ) : (
        <section className="card integrations" aria-labelledby="connections-title">
          <div className="connections-head">
            <h2 id="connections-title">Connections</h2>
            {!adding ? (
              <button
                type="button"
                className="button button-primary"
                onClick={() => {
                  setSaved(null);
                  setAdding(true);
                }}
              >
                Add connection
              </button>
            ) : null}
          </div>
          {saved ? (
            <p className="notice notice-success" role="status">
              “{saved.name}” is saved; its first poll follows within seconds.
            </p>
          ) : null}
          {adding ? (
            <AddConnection
              onDraft={setDraft}
              onDone={(result) => {
                setAdding(false);
                setDraft(null);
                setSaved(result);
              }}
            />
          ) : null}
          <Connections hidden={adding ? draft : null} />
        </section>
      )}
    </>
  );
}
