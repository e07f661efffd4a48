import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { changedFields } from "@/lib/changes";
import { isVersionConflict } from "@/lib/formErrors";

import { driverQueryOptions, useUpdateDriver, type Driver, type DriverUpdate } from "../api";
import { DriverLoadError } from "./DriverDetailPage";
import { driverBody, DriverForm, driverValues, type DriverValues } from "./DriverForm";

/** Only what changed, and the version the form was loaded from. */
export function driverChanges(driver: Driver, values: DriverValues): DriverUpdate {
  return changedFields(driverBody(driverValues(driver)), driverBody(values), driver.version) as DriverUpdate;
}

export function DriverEditPage() {
  const { driverId = "" } = useParams();
  const access = useAccess();
  const navigate = useNavigate();
  const driver = useQuery(driverQueryOptions(driverId));
  const update = useUpdateDriver();
  // The form starts again from the latest record after a version conflict's reload.
  const [formKey, setFormKey] = useState(0);

  if (!access.can("drivers:write")) return <NoAccess role={access.role} what="edit drivers" />;
  if (driver.isPending) return <Loading label="Loading driver…" />;
  if (driver.isError) return <DriverLoadError error={driver.error} />;
  const record = driver.data;
  const conflict = isVersionConflict(update.error);

  const reload = async () => {
    await driver.refetch();
    update.reset();
    setFormKey((key) => key + 1);
  };

  return (
    <>
      <p>
        <Link to={`/drivers/${record.id}`}>← {record.name}</Link>
      </p>
      <h1>Edit {record.name}</h1>
      <DriverForm
        key={`${record.id}-${formKey}`}
        initial={driverValues(record)}
        submitLabel="Save changes"
        pending={update.isPending}
        error={update.error}
        notice={
          conflict ? (
            <p>
              <button type="button" className="button" onClick={() => void reload()}>
                Load the latest version (discards your edits)
              </button>
            </p>
          ) : null
        }
        onSubmit={(values) =>
          update.mutate(
            { id: record.id, body: driverChanges(record, values) },
            { onSuccess: () => navigate(`/drivers/${record.id}`) },
          )
        }
        onCancel={() => navigate(`/drivers/${record.id}`)}
      />
    </>
  );
}
