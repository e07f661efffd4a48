import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { isApiError } from "@/lib/api";
import { formatDateTime, formatNumber, humanize } from "@/lib/format";

import { vehicleQueryOptions, type Vehicle } from "../api";
import { VehicleAlerts } from "./VehicleAlerts";
import { VehicleAudit } from "./VehicleAudit";
import { VehicleLatestState } from "./VehicleLatestState";

function statusText(status: Vehicle["status"]): string {
  if (status.state === "in_maintenance") {
    const until = status.expected_return ? `, back ${status.expected_return}` : "";
    return `In maintenance at ${status.shop}${until}`;
  }
  if (status.state === "retired") return `Retired on ${status.retired_on}: ${status.reason}`;
  return "Active";
}

function VehicleRecord({ vehicle }: { vehicle: Vehicle }) {
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
    ["Tags", vehicle.tags.length ? vehicle.tags.join(", ") : "—"],
    ["Created", formatDateTime(vehicle.created_at)],
    ["Updated", formatDateTime(vehicle.updated_at)],
  ];
  return (
    <section className="card" aria-labelledby="record-title">
      <h2 id="record-title">Record</h2>
      <dl className="facts">
        {fields.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function VehicleDetailPage() {
  const { vehicleId = "" } = useParams();
  const vehicle = useQuery(vehicleQueryOptions(vehicleId));
  const back = (
    <p>
      <Link to="/vehicles">← All vehicles</Link>
    </p>
  );
  if (vehicle.isPending) return <Loading label="Loading vehicle…" />;
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
      <div className="detail-grid">
        <VehicleRecord vehicle={record} />
        <VehicleLatestState vehicleId={vehicleId} />
        <VehicleAlerts vehicleId={vehicleId} />
        <VehicleAudit vehicleId={vehicleId} />
      </div>
    </>
  );
}
