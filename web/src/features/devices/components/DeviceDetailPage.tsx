import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";

import { FactList, type Fact } from "@/components/FactList";
import { RecordActions } from "@/components/RecordActions";
import { ErrorNotice, Loading } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { useAccess } from "@/lib/access";
import { isApiError } from "@/lib/api";
import { formatDateTime } from "@/lib/format";

import { deviceQueryOptions, PROTOCOL_LABELS, useDeleteDevice, type Device } from "../api";
import { DeviceCommand } from "./DeviceCommand";
import "./devices.css";

export const backToDevices = (
  <p>
    <Link to="/devices">← All devices</Link>
  </p>
);

export function DeviceLoadError({ error }: { error: unknown }) {
  const missing = isApiError(error) && (error.isNotFound || error.status === 422);
  return (
    <>
      {backToDevices}
      <h1>{missing ? "Device not found" : "Device"}</h1>
      {missing ? <p>There is no such device in this tenant.</p> : <ErrorNotice error={error} />}
    </>
  );
}

function DeviceRecord({ device }: { device: Device }) {
  const fields: Fact[] = [
    ["Device id", <code>{device.unique_id}</code>],
    ["Protocol", PROTOCOL_LABELS[device.protocol]],
    ["Name", device.name ?? "—"],
    ["SIM phone", device.phone ?? "—"],
    ["Vehicle", <VehicleLink vehicleId={device.vehicle_id} />],
    ["Registered", formatDateTime(device.created_at)],
    ["Updated", formatDateTime(device.updated_at)],
  ];
  return (
    <section className="card" aria-labelledby="device-record-title">
      <h2 id="device-record-title">Record</h2>
      <FactList facts={fields} />
    </section>
  );
}

export function DeviceDetailPage() {
  const { deviceId = "" } = useParams();
  const access = useAccess();
  const navigate = useNavigate();
  const device = useQuery(deviceQueryOptions(deviceId));
  const remove = useDeleteDevice();
  if (device.isPending) return <Loading label="Loading device…" />;
  if (device.isError) return <DeviceLoadError error={device.error} />;
  const record = device.data;
  const canWrite = access.can("devices:write");
  const title = record.name || record.unique_id;
  return (
    <>
      {backToDevices}
      <div className="page-head">
        <h1>{title}</h1>
        {canWrite ? (
          <RecordActions
            editTo={`/devices/${record.id}/edit`}
            prompt={`Unregister device ${record.unique_id}?`}
            confirmLabel="Unregister device"
            pending={remove.isPending}
            onDelete={() =>
              remove.mutate(
                { id: record.id, version: record.version },
                { onSuccess: () => navigate("/devices", { replace: true }) },
              )
            }
          />
        ) : null}
      </div>
      {remove.isError ? <ErrorNotice error={remove.error} title="Not deleted." /> : null}
      <div className="detail-grid">
        <DeviceRecord device={record} />
        {canWrite ? <DeviceCommand device={record} /> : null}
      </div>
    </>
  );
}
