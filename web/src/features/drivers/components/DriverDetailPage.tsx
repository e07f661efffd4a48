import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";

import { FactList, type Fact } from "@/components/FactList";
import { RecordActions } from "@/components/RecordActions";
import { ErrorNotice, Loading } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { useAccess } from "@/lib/access";
import { isApiError } from "@/lib/api";
import { formatDateTime, humanize } from "@/lib/format";
import {
  ChangeProblem,
  ChangeState,
  describeValue,
  queuedNotice,
  useChangesFor,
  useOnline,
  useQueuedMutation,
} from "@/lib/offline";

import { deleteDriverMutation, driverQueryOptions, type Driver } from "../api";
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

const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  email: "Email",
  phone: "Phone",
  licence_number: "Licence number",
  licence_class: "Licence class",
  licence_expiry: "Licence expiry",
  status: "Status",
  assigned_vehicle_id: "Assigned vehicle",
  group_id: "Group",
};

/** The driver's queued edits: the newest's state, and any the server refused, to resolve. */
function DriverSync({ driverId }: { driverId: string }) {
  const changes = useChangesFor("driver", driverId);
  const latest = changes.at(-1);
  if (!latest) return null;
  return (
    <div className="record-sync">
      <ChangeState change={latest} />
      {changes.map((change) => (
        <ChangeProblem
          key={change.id}
          change={change}
          fieldLabel={(field) => FIELD_LABELS[field] ?? field}
          describe={(_field, value) => describeValue(value)}
        />
      ))}
    </div>
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
  const location = useLocation();
  const online = useOnline();
  const driver = useQuery(driverQueryOptions(driverId));
  const remove = useQueuedMutation(deleteDriverMutation);
  const [failure, setFailure] = useState<unknown>(null);
  const notice = (location.state as { notice?: unknown } | null)?.notice;
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
            pending={false}
            onDelete={() =>
              void remove
                .mutate({ driverId: record.id, version: record.version, name: record.name })
                .then(() =>
                  navigate("/drivers", {
                    replace: true,
                    state: { notice: queuedNotice(`Deleted ${record.name}.`, online) },
                  }),
                )
                .catch(setFailure)
            }
          />
        ) : null}
      </div>
      {failure ? <ErrorNotice error={failure} title="Not deleted." /> : null}
      {typeof notice === "string" ? (
        <p role="status" className="notice notice-info">
          {notice}
        </p>
      ) : null}
      <DriverSync driverId={record.id} />
      <p>
        <Link to={`/drivers/${record.id}/scorecard`}>Driving score and what took points off</Link>
        {" · "}
        <Link to="/drivers/scores">All drivers by score</Link>
      </p>
      <div className="detail-grid">
        <DriverRecord driver={record} />
      </div>
    </>
  );
}
