import { Link } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { useAccess } from "@/lib/access";

import { DeviceTable } from "./DeviceTable";
import { UnknownDevices } from "./UnknownDevices";
import "./devices.css";

export function DevicesPage() {
  const access = useAccess();
  const canWrite = access.can("devices:write");
  return (
    <>
      <div className="page-head">
        <h1>Devices</h1>
        {canWrite ? (
          <Link className="button button-primary" to="/devices/new">
            Register device
          </Link>
        ) : null}
      </div>
      {access.can("devices:read") ? (
        <div className="section-stack">
          <section aria-labelledby="registered-title">
            <h2 id="registered-title">Registered devices</h2>
            <DeviceTable />
          </section>
          {canWrite ? <UnknownDevices /> : null}
        </div>
      ) : (
        <NoAccess role={access.role} what="see devices" />
      )}
    </>
  );
}
