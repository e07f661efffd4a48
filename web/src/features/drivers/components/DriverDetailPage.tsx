import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";

import { FactList, type Fact } from "@/components/FactList";
import { RecordActions } from "@/components/RecordActions";
import { ErrorNotice, Loading } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { useAccess } from "@/lib/access";
import { isApiError } from "@/lib/api";
import { formatDateTime, humanize } from "@/lib/format";

import { driverQueryOptions, useDeleteDriver, type Driver } from "../api";
import { LicenceBadge } from "./LicenceBadge";

function DriverRecord({ driver }: { driver: Driver }) {
  const fields: Fact[] = [
    ["Status", <span className={`badge badge-${driver.status}`}>{humanize(driver.status)}</span>],
    ["Email", driver.email ?? "—"],
    ["Phone", driver.phone ?? "—"],
    ["Licence number", driver.licence_number ?? "—"],
    ["Licence class", driver.licence_class ?? "—"],
    ["Licence expiry", <LicenceBadge expiry={driver.licence_expiry} />],
    ["Assigned vehicle", <VehicleLink vehicleId={driver.assigned_vehicle_id} />],
    ["Created", formatDateTime(driver.created_at)],
    ["Updated", formatDateTime(driver.updated_at)],
  ];
  return (
    <section className="card" aria-labelledby="driver-record-title">
      <h2 id="driver-record-title">Record</h2>
      <FactList facts={fields} />
    </section>
  );
}

export const backToDrivers = (
  <p>
    <Link to="/drivers">← All drivers</Link>
  </p>
);

/** A missing (or another tenant's) driver, or the error that came instead. */
export function DriverLoadError({ error }: { error: unknown }) {
  const missing = isApiError(error) && (error.isNotFound || error.status === 422);
  return (
    <>
      {backToDrivers}
      <h1>{missing ? "Driver not found" : "Driver"}</h1>
      {missing ? <p>There is no such driver in this tenant.</p> : <ErrorNotice error={error} />}
    </>
  );
}

export function DriverDetailPage() {
  const { driverId = "" } = useParams();
  const access = useAccess();
  const navigate = useNavigate();
  const driver = useQuery(driverQueryOptions(driverId));
  const remove = useDeleteDriver();
  if (driver.isPending) return <Loading label="Loading driver…" />;
  if (driver.isError) return <DriverLoadError error={driver.error} />;
  const record = driver.data;
  const canWrite = access.can("drivers:write");
  return (
    <>
      {backToDrivers}
      <div className="page-head">
        <h1>{record.name}</h1>
        {canWrite ? (
          <RecordActions
            editTo={`/drivers/${record.id}/edit`}
            prompt={`Delete driver ${record.name}?`}
            confirmLabel="Delete driver"
            pending={remove.isPending}
            onDelete={() =>
              remove.mutate(
                { id: record.id, version: record.version },
                { onSuccess: () => navigate("/drivers", { replace: true }) },
              )
            }
          />
        ) : null}
      </div>
      {remove.isError ? <ErrorNotice error={remove.error} title="Not deleted." /> : null}
      <div className="detail-grid">
        <DriverRecord driver={record} />
      </div>
    </>
  );
}
