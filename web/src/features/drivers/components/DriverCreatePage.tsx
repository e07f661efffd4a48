import { useNavigate } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { useAccess } from "@/lib/access";

import { useCreateDriver } from "../api";
import { backToDrivers } from "./DriverDetailPage";
import { BLANK_DRIVER, driverBody, DriverForm } from "./DriverForm";

export function DriverCreatePage() {
  const access = useAccess();
  const navigate = useNavigate();
  const create = useCreateDriver();
  return (
    <>
      {backToDrivers}
      <h1>Add driver</h1>
      {access.can("drivers:write") ? (
        <DriverForm
          initial={BLANK_DRIVER}
          submitLabel="Add driver"
          pending={create.isPending}
          error={create.error}
          onSubmit={(values) =>
            create.mutate(driverBody(values), {
              onSuccess: (driver) => navigate(`/drivers/${driver.id}`),
            })
          }
          onCancel={() => navigate("/drivers")}
        />
      ) : (
        <NoAccess role={access.role} what="add drivers" />
      )}
    </>
  );
}
