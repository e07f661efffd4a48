import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { changedFields } from "@/lib/changes";
import { isVersionConflict } from "@/lib/formErrors";

import { deviceQueryOptions, useUpdateDevice, type Device, type DeviceUpdate } from "../api";
import { DeviceLoadError } from "./DeviceDetailPage";
import { deviceBody, DeviceForm, deviceValues, type DeviceValues } from "./DeviceForm";

/** Only what changed, and the version the form was loaded from. */
export function deviceChanges(device: Device, values: DeviceValues): DeviceUpdate {
  return changedFields(deviceBody(deviceValues(device)), deviceBody(values), device.version) as DeviceUpdate;
}

export function DeviceEditPage() {
  const { deviceId = "" } = useParams();
  const access = useAccess();
  const navigate = useNavigate();
  const device = useQuery(deviceQueryOptions(deviceId));
  const update = useUpdateDevice();
  const [formKey, setFormKey] = useState(0);

  if (!access.can("devices:write")) return <NoAccess role={access.role} what="edit devices" />;
  if (device.isPending) return <Loading label="Loading device…" />;
  if (device.isError) return <DeviceLoadError error={device.error} />;
  const record = device.data;
  const title = record.name || record.unique_id;

  const reload = async () => {
    await device.refetch();
    update.reset();
    setFormKey((key) => key + 1);
  };

  return (
    <>
      <p>
        <Link to={`/devices/${record.id}`}>← {title}</Link>
      </p>
      <h1>Edit {title}</h1>
      <DeviceForm
        key={`${record.id}-${formKey}`}
        initial={deviceValues(record)}
        submitLabel="Save changes"
        pending={update.isPending}
        error={update.error}
        notice={
          isVersionConflict(update.error) ? (
            <p>
              <button type="button" className="button" onClick={() => void reload()}>
                Load the latest version (discards your edits)
              </button>
            </p>
          ) : null
        }
        onSubmit={(values) =>
          update.mutate(
            { id: record.id, body: deviceChanges(record, values) },
            { onSuccess: () => navigate(`/devices/${record.id}`) },
          )
        }
        onCancel={() => navigate(`/devices/${record.id}`)}
      />
    </>
  );
}
