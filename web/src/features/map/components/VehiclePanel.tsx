import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link } from "react-router";

import { FactList, type Fact } from "@/components/FactList";
import { ErrorNotice, Loading } from "@/components/Status";
import { fleetIndex, useLiveSubscription } from "@/lib/live";
import { formatDateTime, formatNumber, formatSpeed } from "@/lib/format";

import {
  fleetStateQueryOptions,
  openAlertsQueryOptions,
  vehicleDriversQueryOptions,
  vehicleStateQueryOptions,
  type VehicleWithState,
} from "../api";
import { STATUS_STYLE, vehicleLabel, vehicleStatus } from "../status";
import type { ReplayStore } from "../store";
import { ReplayControls } from "./ReplayControls";
import { VehicleHealth } from "./VehicleHealth";

function reading(vehicle: VehicleWithState, key: string): unknown {
  return vehicle.state?.attributes?.[key];
}

function numberReading(vehicle: VehicleWithState, key: string, unit: string): string {
  const value = reading(vehicle, key);
  return typeof value === "number" ? formatNumber(value, unit) : "—";
}

function Drivers({ vehicleId }: { vehicleId: string }) {
  const drivers = useQuery(vehicleDriversQueryOptions(vehicleId));
  if (drivers.isPending) return <>Loading…</>;
  if (drivers.isError) return <>—</>;
  if (!drivers.data.items.length) return <>None assigned</>;
  return <>{drivers.data.items.map((driver) => driver.name).join(", ")}</>;
}

function Facts({ vehicle, hasAlert }: { vehicle: VehicleWithState; hasAlert: boolean }) {
  const state = vehicle.state;
  const status = STATUS_STYLE[vehicleStatus(vehicle, hasAlert, Date.now())];
  const dtcs = reading(vehicle, "dtcs");
  const codes = Array.isArray(dtcs) ? dtcs.map(String) : [];
  const facts: Fact[] = [
    ["Status", status.label],
    ["Speed", formatSpeed(state?.speed_kmh)],
    ["Fuel", numberReading(vehicle, "fuel_level_pct", "%")],
    ["Coolant", numberReading(vehicle, "coolant_temp_c", "°C")],
    ["Ignition", state?.ignition === null || state?.ignition === undefined ? "—" : state.ignition ? "On" : "Off"],
    ["Last fix", formatDateTime(state?.fix_time)],
    ["Driver", <Drivers key="driver" vehicleId={vehicle.vehicle_id} />],
    ["Trouble codes", codes.length ? codes.join(", ") : "None"],
  ];
  return <FactList facts={facts} className="panel-facts" />;
}

/** The picked vehicle: its live readings, driver, health, and its history to replay. */
export function VehiclePanel({
  vehicleId,
  follow,
  onFollowChange,
  onClose,
  replay,
}: {
  vehicleId: string;
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
  onClose: () => void;
  replay: ReplayStore;
}) {
  useLiveSubscription({ vehicles: [vehicleId] });
  // The fleet entry shows at once; the vehicle's own state (fresher readings) replaces it.
  const fromFleet = useQuery({
    ...fleetStateQueryOptions(),
    select: (fleet) => {
      const at = fleetIndex(fleet).get(vehicleId);
      return at === undefined ? undefined : fleet[at];
    },
  }).data;
  const vehicle = useQuery({ ...vehicleStateQueryOptions(vehicleId), placeholderData: fromFleet });
  const hasAlert = useQuery({
    ...openAlertsQueryOptions(),
    select: (alerts) => alerts.some((alert) => alert.vehicle_id === vehicleId),
  }).data;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [vehicleId]);

  let body;
  if (vehicle.isPending) body = <Loading label="Loading vehicle…" />;
  else if (vehicle.isError) body = <ErrorNotice error={vehicle.error} />;
  else
    body = (
      <>
        {!vehicle.data.state ? <p className="muted">No position received yet.</p> : null}
        <Facts vehicle={vehicle.data} hasAlert={hasAlert ?? false} />
        <VehicleHealth vehicleId={vehicleId} />
        <ReplayControls vehicleId={vehicleId} replay={replay} />
      </>
    );
  const title = vehicle.data ? vehicleLabel(vehicle.data) : "Vehicle";

  return (
    <aside className="vehicle-panel" aria-labelledby="vehicle-panel-title">
      <div className="vehicle-panel-head">
        <h2 id="vehicle-panel-title" ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" className="button" onClick={onClose}>
          Close<span className="sr-only"> {title}</span>
        </button>
      </div>
      {vehicle.data?.name && vehicle.data.plate ? <p className="lead">{vehicle.data.name}</p> : null}
      <div className="vehicle-panel-actions">
        <button
          type="button"
          className="button"
          aria-pressed={follow}
          disabled={!vehicle.data?.state}
          onClick={() => onFollowChange(!follow)}
        >
          {follow ? "Following" : "Follow"}
        </button>
        <Link to={`/vehicles/${vehicleId}`}>Vehicle record</Link>
      </div>
      {body}
    </aside>
  );
}
