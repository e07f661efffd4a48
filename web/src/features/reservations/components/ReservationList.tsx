import { Fragment } from "react";

import { formatDateTime, humanize } from "@/lib/format";
import { ChangeProblem, ChangeState, type QueuedChange } from "@/lib/offline";

import { isLocal, type Driver, type Member, type PickerVehicle, type Reservation } from "../api";
import { formatPeriod } from "./dates";

interface Props {
  reservations: readonly Reservation[];
  vehicles: readonly PickerVehicle[];
  drivers: readonly Driver[];
  members: readonly Member[];
  changeFor: (reservationId: string) => QueuedChange | undefined;
  onEdit: (reservation: Reservation) => void;
  onCancel: (reservation: Reservation) => void;
}

const FIELD_LABELS: Record<string, string> = {
  vehicle_id: "Vehicle",
  driver_id: "Driver",
  user_id: "Booked for",
  starts_at: "Starts",
  ends_at: "Ends",
  purpose: "Purpose",
  status: "Status",
};

/** Upcoming bookings, each with where its last change stands and, if refused, what to do. */
export function ReservationList({ reservations, vehicles, drivers, members, changeFor, onEdit, onCancel }: Props) {
  if (reservations.length === 0) return <p className="muted">No upcoming reservations.</p>;
  const vehicleName = (id: string) => {
    const v = vehicles.find((vehicle) => vehicle.id === id);
    return v?.plate || v?.name || "Vehicle";
  };
  const personOf = (r: Reservation) => {
    const driver = drivers.find((d) => d.id === r.driver_id)?.name;
    const member = members.find((m) => m.user_id === r.user_id);
    // A booking not yet saved is for the person making it unless they chose someone.
    const forWhom = member?.display_name || member?.email || (isLocal(r.id) && !r.user_id ? "Me" : null);
    return [driver, forWhom].filter(Boolean).join(" · ") || "—";
  };
  const describe = (field: string, value: unknown) => {
    if (field === "vehicle_id" && typeof value === "string") return vehicleName(value);
    if (field === "driver_id") return drivers.find((d) => d.id === value)?.name ?? "—";
    if (field === "starts_at" || field === "ends_at") return formatDateTime(value as string | null);
    return value === null || value === undefined || value === "" ? "—" : humanize(String(value));
  };

  return (
    <div className="table-wrap">
      <table className="data-table reservation-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Vehicle</th>
            <th scope="col">Driver · booked for</th>
            <th scope="col">Purpose</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {reservations.map((r) => {
            const change = changeFor(r.id);
            const final = r.status === "cancelled" || r.status === "completed";
            const when = formatPeriod(new Date(r.starts_at), new Date(r.ends_at));
            const problem = change?.status === "conflict" || change?.status === "failed";
            return (
              <Fragment key={r.id}>
                <tr className={final ? "row-final" : undefined}>
                  <td>{when}</td>
                  <td>{vehicleName(r.vehicle_id)}</td>
                  <td>{personOf(r)}</td>
                  <td>{r.purpose || "—"}</td>
                  <td>
                    {isLocal(r.id) ? "New" : humanize(r.status)}
                    {change && change.status !== "synced" ? (
                      <>
                        {" "}
                        <ChangeState change={change} />
                      </>
                    ) : null}
                  </td>
                  <td>
                    {final ? null : (
                      <div className="row-actions">
                        <button
                          type="button"
                          className="button button-small"
                          onClick={() => onEdit(r)}
                          aria-label={`Change booking ${vehicleName(r.vehicle_id)} ${when}`}
                        >
                          Change
                        </button>
                        <button
                          type="button"
                          className="button button-small"
                          onClick={() => onCancel(r)}
                          aria-label={`Cancel booking ${vehicleName(r.vehicle_id)} ${when}`}
                        >
                          Cancel
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
                {problem && change ? (
                  <tr className="row-problem">
                    <td colSpan={6}>
                      <ChangeProblem change={change} fieldLabel={(f) => FIELD_LABELS[f] ?? f} describe={describe}>
                        {change.error?.code === "reservation_overlap" ? (
                          <button type="button" className="button" onClick={() => onEdit(r)}>
                            Change times
                          </button>
                        ) : null}
                      </ChangeProblem>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
