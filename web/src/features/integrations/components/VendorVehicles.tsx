import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { VehiclePicker } from "@/components/VehiclePicker";
import { formatDateTime } from "@/lib/format";

import {
  integrationVehiclesQueryOptions,
  useMatchVehicle,
  type Integration,
  type IntegrationVehicle,
} from "../api";
import { matchedByWords, timeAgo, vendorVehicleLabel } from "../status";

function MatchForm({
  integration,
  vehicle,
  onDone,
}: {
  integration: Integration;
  vehicle: IntegrationVehicle;
  onDone: () => void;
}) {
  const [chosen, setChosen] = useState<string | null>(vehicle.vehicle_id);
  const match = useMatchVehicle(integration.id);
  const label = vendorVehicleLabel(vehicle);
  return (
    <div className="match-form" role="group" aria-label={`Match ${label}`}>
      <VehiclePicker label={`Our vehicle for ${label}`} value={chosen} onChange={setChosen} noneLabel="Choose a vehicle" />
      {match.error ? <ErrorNotice error={match.error} title="Not matched." /> : null}
      <div className="actions">
        <button
          type="button"
          className="button button-primary button-small"
          disabled={!chosen || match.isPending}
          onClick={() => chosen && match.mutate({ vendorId: vehicle.vendor_id, vehicleId: chosen }, { onSuccess: onDone })}
        >
          {match.isPending ? "Matching…" : "Match"}
        </button>
        <button type="button" className="button button-small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function VendorVehicleRow({ integration, vehicle, now }: { integration: Integration; vehicle: IntegrationVehicle; now: number }) {
  const [matching, setMatching] = useState(false);
  const label = vendorVehicleLabel(vehicle);
  const ids = [vehicle.vin && `VIN ${vehicle.vin}`, vehicle.plate && `plate ${vehicle.plate}`, `id ${vehicle.vendor_id}`]
    .filter(Boolean)
    .join(" · ");
  return (
    <li className={vehicle.vehicle_id ? "vendor-vehicle" : "vendor-vehicle waiting"}>
      <div className="vendor-vehicle-head">
        <div>
          <strong>{label}</strong>
          <div className="muted small">{ids}</div>
        </div>
        <div>
          {vehicle.vehicle_id ? <VehicleLink vehicleId={vehicle.vehicle_id} /> : null}
          <div className={vehicle.vehicle_id ? "muted small" : "badge badge-pending"}>{matchedByWords(vehicle)}</div>
        </div>
        <div className="muted small" title={formatDateTime(vehicle.last_seen_at)}>
          Seen {timeAgo(vehicle.last_seen_at, now)}
        </div>
        {!matching ? (
          <button
            type="button"
            className="button button-small"
            aria-label={`${vehicle.vehicle_id ? "Change the match of" : "Match"} ${label}`}
            onClick={() => setMatching(true)}
          >
            {vehicle.vehicle_id ? "Change" : "Match…"}
          </button>
        ) : null}
      </div>
      {matching ? <MatchForm integration={integration} vehicle={vehicle} onDone={() => setMatching(false)} /> : null}
    </li>
  );
}

/**
 * The vendor's vehicles of one connection: which of ours each is matched to, and matching one
 * that waits (its positions flow to our vehicle from then on).
 */
export function VendorVehicles({ integration, now }: { integration: Integration; now: number }) {
  const [waitingOnly, setWaitingOnly] = useState(false);
  const vehicles = useQuery(integrationVehiclesQueryOptions(integration.id, waitingOnly));
  const items = vehicles.data?.items ?? [];
  const waiting = items.filter((v) => !v.vehicle_id).length;
  const titleId = `vendor-vehicles-${integration.id}`;
  return (
    <section className="vendor-vehicles" aria-labelledby={titleId}>
      <div className="vendor-vehicles-head">
        <h3 id={titleId}>Vehicles in {integration.name}</h3>
        <label className="checkbox-field">
          <input type="checkbox" checked={waitingOnly} onChange={(e) => setWaitingOnly(e.target.checked)} /> Only those
          waiting for a match
        </label>
      </div>
      {vehicles.isPending ? (
        <Loading label="Loading the vendor's vehicles…" />
      ) : vehicles.isError ? (
        <ErrorNotice error={vehicles.error} title="Can't load the vendor's vehicles." />
      ) : items.length === 0 ? (
        <p className="muted">
          {waitingOnly ? "None waiting: every vehicle is matched." : "None yet: they are listed after the first poll."}
        </p>
      ) : (
        <>
          <p className="muted small" role="status">
            {waitingOnly
              ? `${items.length} waiting for a match.`
              : `${items.length} ${items.length === 1 ? "vehicle" : "vehicles"}: ${items.length - waiting} matched, ${waiting} waiting.`}
            {vehicles.data?.next_cursor ? " Showing the first 500." : ""}
          </p>
          <ul className="plain-list vendor-vehicle-list">
            {items.map((vehicle) => (
              <VendorVehicleRow key={vehicle.vendor_id} integration={integration} vehicle={vehicle} now={now} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
