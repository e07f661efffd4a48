import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type ComponentType } from "react";
import { Link, useParams } from "react-router";

import { FactList } from "@/components/FactList";
import { ErrorNotice } from "@/components/Status";
import { isApiError } from "@/lib/api";
import { formatDateTime, formatNumber, humanize } from "@/lib/format";
import { useLiveSubscription } from "@/lib/live";
import { ChangeProblem, ChangeState, describeValue, LoadingOrOffline, useChangesFor } from "@/lib/offline";

import { vehicleGroupsQueryOptions, vehicleQueryOptions, type Vehicle } from "../api";
import { VehicleAlerts } from "./VehicleAlerts";
import { VehicleAudit } from "./VehicleAudit";
import { VehicleEditForm } from "./VehicleEditForm";
import { VehicleLatestState } from "./VehicleLatestState";
import { VehicleNow, type MiniMap } from "./VehicleNow";
import { VehicleTelemetry } from "./VehicleTelemetry";
import "./vehicleEdit.css";
import "./vehicles.css";

function statusText(status: Vehicle["status"]): string {
  if (status.state === "in_maintenance") {
    const until = status.expected_return ? `, back ${status.expected_return}` : "";
    return `In maintenance at ${status.shop}${until}`;
  }
  if (status.state === "retired") return `Retired on ${status.retired_on}: ${status.reason}`;
  return "Active";
}

const FIELD_LABELS: Record<string, string> = {
  plate: "Plate",
  name: "Name",
  vin: "VIN",
  make: "Make",
  model: "Model",
  year: "Year",
  type: "Type",
  fuel_type: "Fuel",
  odometer_km: "Odometer (km)",
  status: "Status",
  group_id: "Group",
  tags: "Tags",
};

/** The record's queued edits: the newest's state, and any the server refused, to resolve. */
function RecordSync({ vehicleId, groupName }: { vehicleId: string; groupName: (id: unknown) => string }) {
  const changes = useChangesFor("vehicle", vehicleId);
  const latest = changes.at(-1);
  if (!latest) return null;
  const describe = (field: string, value: unknown) =>
    field === "group_id" ? groupName(value) : describeValue(value);
  return (
    <div className="record-sync">
      <ChangeState change={latest} />
      {changes.map((change) => (
        <ChangeProblem
          key={change.id}
          change={change}
          fieldLabel={(field) => FIELD_LABELS[field] ?? field}
          describe={describe}
        />
      ))}
    </div>
  );
}

function VehicleRecord({ vehicle }: { vehicle: Vehicle }) {
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState("");
  const editButton = useRef<HTMLButtonElement>(null);
  const groups = useQuery(vehicleGroupsQueryOptions());
  const groupName = (id: unknown) =>
    id ? (groups.data?.items.find((group) => group.id === id)?.name ?? "A group") : "—";
  const fields: [string, string][] = [
    ["Plate", vehicle.plate ?? "—"],
    ["Name", vehicle.name ?? "—"],
    ["VIN", vehicle.vin ?? "—"],
    ["Make", vehicle.make ?? "—"],
    ["Model", vehicle.model ?? "—"],
    ["Year", vehicle.year?.toString() ?? "—"],
    ["Type", humanize(vehicle.type)],
    ["Fuel", humanize(vehicle.fuel_type)],
    ["Odometer", formatNumber(vehicle.odometer_km, "km")],
    ["Status", statusText(vehicle.status)],
    ["Group", groupName(vehicle.group_id)],
    ["Tags", vehicle.tags.length ? vehicle.tags.join(", ") : "—"],
    ["Created", formatDateTime(vehicle.created_at)],
    ["Updated", formatDateTime(vehicle.updated_at)],
  ];
  const wasEditing = useRef(false);
  useEffect(() => {
    // Back from the form: focus returns to the button that opened it.
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  const done = (text: string) => {
    setEditing(false);
    setMessage(text);
  };
  return (
    <section className={editing ? "card card-wide" : "card"} aria-labelledby="record-title">
      <div className="card-head">
        <h2 id="record-title">Record</h2>
        {editing ? null : (
          <button
            ref={editButton}
            type="button"
            className="button"
            onClick={() => {
              setMessage("");
              setEditing(true);
            }}
          >
            Edit vehicle
          </button>
        )}
      </div>
      <p className="muted small" role="status">
        {message}
      </p>
      <RecordSync vehicleId={vehicle.id} groupName={groupName} />
      {editing ? (
        <VehicleEditForm vehicle={vehicle} onDone={done} />
      ) : (
        <FactList facts={fields} />
      )}
    </section>
  );
}

/**
 * One vehicle: its record, where it is and who drives it (a small map when the app gives
 * one), its latest readings, telemetry across the page's width, alerts and audit trail. The
 * live feed keeps its position current while the page is open. The app composes in more
 * sections (its service history and failure risk, from maintenance).
 */
export function VehicleDetailPage({
  MiniMap,
  Sections,
}: { MiniMap?: MiniMap; Sections?: ComponentType<{ vehicleId: string }> } = {}) {
  const { vehicleId = "" } = useParams();
  useLiveSubscription({ vehicles: [vehicleId] }, vehicleId !== "");
  const vehicle = useQuery(vehicleQueryOptions(vehicleId));
  const back = (
    <p>
      <Link to="/vehicles">← All vehicles</Link>
    </p>
  );
  if (vehicle.isPending) return <LoadingOrOffline query={vehicle} label="Loading vehicle…" />;
  if (vehicle.isError) {
    const missing = isApiError(vehicle.error) && (vehicle.error.isNotFound || vehicle.error.status === 422);
    return (
      <>
        {back}
        <h1>{missing ? "Vehicle not found" : "Vehicle"}</h1>
        {missing ? <p>There is no such vehicle in this tenant.</p> : <ErrorNotice error={vehicle.error} />}
      </>
    );
  }
  const record = vehicle.data;
  return (
    <>
      {back}
      <h1>{record.plate || record.name || "Vehicle"}</h1>
      {record.name && record.plate ? <p className="lead">{record.name}</p> : null}
      <p>
        <Link to={`/reservations?vehicle=${record.id}`}>Reservations for this vehicle</Link>
        {" · "}
        <Link to={`/vehicles/${record.id}/trips`}>Trips and stops</Link>
      </p>
      <div className="detail-grid">
        <VehicleNow vehicleId={vehicleId} MiniMap={MiniMap} />
        <VehicleRecord vehicle={record} />
        <VehicleLatestState vehicleId={vehicleId} />
        <VehicleTelemetry vehicleId={vehicleId} />
        {Sections ? <Sections vehicleId={vehicleId} /> : null}
        <VehicleAlerts vehicleId={vehicleId} />
        <VehicleAudit vehicleId={vehicleId} />
      </div>
    </>
  );
}
