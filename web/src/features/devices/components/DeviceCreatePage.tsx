import { useNavigate } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { useAccess } from "@/lib/access";

import { useCreateDevice } from "../api";
import { backToDevices } from "./DeviceDetailPage";
import { BLANK_DEVICE, deviceBody, DeviceForm } from "./DeviceForm";

export function DeviceCreatePage() {
  const access = useAccess();
  const navigate = useNavigate();
  const create = useCreateDevice();
  return (
    <>
      {backToDevices}
      <h1>Register device</h1>
      {access.can("devices:write") ? (
        <DeviceForm
          initial={BLANK_DEVICE}
          submitLabel="Register device"
          pending={create.isPending}
          error={create.error}
          onSubmit={(values) =>
            create.mutate(deviceBody(values), { onSuccess: (device) => navigate(`/devices/${device.id}`) })
          }
          onCancel={() => navigate("/devices")}
        />
      ) : (
        <NoAccess role={access.role} what="register devices" />
      )}
    </>
  );
}
