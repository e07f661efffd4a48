import { useQuery } from "@tanstack/react-query";
import { Fragment, useId, useState, type FormEvent } from "react";
import { Link } from "react-router";

import { Field } from "@/components/Field";
import { ErrorNotice, Loading } from "@/components/Status";
import { VehiclePicker } from "@/components/VehiclePicker";
import { fieldErrors } from "@/lib/formErrors";
import { formatDateTime } from "@/lib/format";
import { useDebounced } from "@/lib/useDebounced";

import {
  PROTOCOL_LABELS,
  PROTOCOLS,
  UNKNOWN_DAYS,
  unknownDevicesQueryOptions,
  useClaimDevice,
  type Device,
  type DeviceProtocol,
  type UnknownDevice,
} from "../api";

function seenProtocol(seen: string): DeviceProtocol {
  return PROTOCOLS.find((p) => p === seen) ?? "other";
}

function ClaimForm({
  unknown,
  onDone,
  onCancel,
}: {
  unknown: UnknownDevice;
  onDone: (device: Device) => void;
  onCancel: () => void;
}) {
  const claim = useClaimDevice();
  const [vehicleId, setVehicleId] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [protocol, setProtocol] = useState<DeviceProtocol>(seenProtocol(unknown.protocol));
  const errors = fieldErrors(claim.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    claim.mutate(
      { uniqueId: unknown.unique_id, body: { vehicle_id: vehicleId, name: name.trim() || null, protocol } },
      { onSuccess: onDone },
    );
  };
  return (
    <form className="claim-form" onSubmit={submit} aria-label={`Claim device ${unknown.unique_id}`}>
      {claim.isError ? <ErrorNotice error={claim.error} title="Not claimed." /> : null}
      <div className="form-grid">
        <VehiclePicker
          label="Into vehicle"
          noneLabel="No vehicle yet"
          value={vehicleId}
          onChange={setVehicleId}
          error={errors.vehicle_id}
        />
        <Field label="Name" error={errors.name} hint="Optional, e.g. “Cab tracker”.">
          {(control) => (
            <input {...control} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <Field label="Protocol" error={errors.protocol}>
          {(control) => (
            <select
              {...control}
              value={protocol}
              onChange={(e) => setProtocol(e.target.value as DeviceProtocol)}
            >
              {PROTOCOLS.map((p) => (
                <option key={p} value={p}>
                  {PROTOCOL_LABELS[p]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={claim.isPending}>
          {claim.isPending ? "Claiming…" : `Claim ${unknown.unique_id}`}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Devices that connected without being registered: an admin claims one into this tenant. */
export function UnknownDevices() {
  const searchId = useId();
  const [text, setText] = useState("");
  const q = useDebounced(text, 250);
  const query = useQuery(unknownDevicesQueryOptions(q));
  const [claiming, setClaiming] = useState<string | null>(null);
  const [claimed, setClaimed] = useState<Device | null>(null);

  let body;
  if (query.isPending) body = <Loading />;
  else if (query.isError) body = <ErrorNotice error={query.error} title="Can't load unknown devices." />;
  else if (query.data.length === 0)
    body = <p className="muted">No unknown device has connected in the last {UNKNOWN_DAYS} days.</p>;
  else
    body = (
      <div className="table-wrap">
        <table className="fixed-table">
          <thead>
            <tr>
              <th scope="col">Device id</th>
              <th scope="col">Protocol seen</th>
              <th scope="col">First seen</th>
              <th scope="col">Last seen</th>
              <th scope="col">Attempts</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {query.data.map((unknown) => (
              <Fragment key={unknown.unique_id}>
                <tr>
                  <td>
                    <code>{unknown.unique_id}</code>
                  </td>
                  <td>{unknown.protocol}</td>
                  <td>{formatDateTime(unknown.first_seen_at)}</td>
                  <td>{formatDateTime(unknown.last_seen_at)}</td>
                  <td>{unknown.attempts}</td>
                  <td>
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Claim device ${unknown.unique_id}`}
                      aria-expanded={claiming === unknown.unique_id}
                      onClick={() => {
                        setClaimed(null);
                        setClaiming(claiming === unknown.unique_id ? null : unknown.unique_id);
                      }}
                    >
                      Claim
                    </button>
                  </td>
                </tr>
                {claiming === unknown.unique_id ? (
                  <tr>
                    <td colSpan={6}>
                      <ClaimForm
                        unknown={unknown}
                        onCancel={() => setClaiming(null)}
                        onDone={(device) => {
                          setClaiming(null);
                          setClaimed(device);
                        }}
                      />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <section className="card unknown-devices" aria-labelledby="unknown-title">
      <h2 id="unknown-title">Unknown devices</h2>
      <p className="muted">
        Hardware that connected in the last {UNKNOWN_DAYS} days without being registered. Claim
        one to register it in this tenant.
      </p>
      <div role="status" aria-live="polite">
        {claimed ? (
          <div className="notice notice-success">
            Claimed <Link to={`/devices/${claimed.id}`}>{claimed.unique_id}</Link>.
          </div>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={searchId}>Find an unknown device</label>
        <input
          id={searchId}
          type="search"
          placeholder="Part of its id"
          maxLength={64}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      {body}
    </section>
  );
}
