import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { changedFields } from "@/lib/changes";
import { queuedNotice, useOnline, useQueuedMutation } from "@/lib/offline";

import { driverQueryOptions, updateDriverMutation, type Driver, type DriverUpdate } from "../api";
import { DriverLoadError } from "./DriverDetailPage";
import { driverBody, DriverForm, driverValues, type DriverValues } from "./DriverForm";

/** Only what changed, and the version the form was loaded from. */
export function driverChanges(driver: Driver, values: DriverValues): DriverUpdate {
  return changedFields(driverBody(driverValues(driver)), driverBody(values), driver.version) as DriverUpdate;
}

/**
 * Edit a driver through the offline queue: saved on this device at once and sent when the
 * network allows; the driver's page shows where the edit stands (a version conflict there).
 */
export function DriverEditPage() {
  const { driverId = "" } = useParams();
  const access = useAccess();
  const driver = useQuery(driverQueryOptions(driverId));

  if (!access.can("drivers:write")) return <NoAccess role={access.role} what="edit drivers" />;
  if (driver.isPending) return <Loading label="Loading driver…" />;
  if (driver.isError) return <DriverLoadError error={driver.error} />;
  return <EditDriver key={driver.data.id} shown={driver.data} />;
}

function EditDriver({ shown }: { shown: Driver }) {
  const navigate = useNavigate();
  const online = useOnline();
  const update = useQueuedMutation(updateDriverMutation);
  const [failure, setFailure] = useState<unknown>(null);
  // The driver as they were when the form opened: a refetch meanwhile (someone else's save)
  // must not move the edit's base, or the fields typed here would silently undo theirs.
  const [record] = useState(shown);
  const back = (notice?: string) => navigate(`/drivers/${record.id}`, notice ? { state: { notice } } : undefined);

  const submit = async (values: DriverValues) => {
    const changes: Partial<DriverUpdate> = { ...driverChanges(record, values) };
    delete changes.version;
    if (Object.keys(changes).length === 0) {
      back("Nothing changed.");
      return;
    }
    try {
      await update.mutate({ driverId: record.id, version: record.version, changes, name: record.name });
      back(queuedNotice("Saved.", online));
    } catch (error) {
      setFailure(error);
    }
  };

  return (
    <>
      <p>
        <Link to={`/drivers/${record.id}`}>← {record.name}</Link>
      </p>
      <h1>Edit {record.name}</h1>
      <DriverForm
        key={record.id}
        initial={driverValues(record)}
        submitLabel="Save changes"
        pending={false}
        error={failure}
        onSubmit={(values) => void submit(values)}
        onCancel={() => back()}
      />
    </>
  );
}
