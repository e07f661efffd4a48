import { useEffect, useId, useState, type FormEvent } from "react";

import { errorMessage } from "@/lib/api";
import { newKey, queuedNotice, useOnline, useQueuedMutation, type QueuedChange } from "@/lib/offline";

import {
  createReservationMutation,
  LOCAL_PREFIX,
  updateReservationMutation,
  type Driver,
  type Member,
  type NewReservation,
  type PickerVehicle,
  type Reservation,
} from "../api";
import { formatPeriod, fromLocalInput, overlaps, toLocalInput } from "./dates";
import type { Draft } from "./WeekCalendar";

export type FormMode =
  | { kind: "new" }
  | { kind: "edit"; reservation: Reservation }
  /** A booking made offline and not saved yet (or refused): changed in the queue. */
  | { kind: "draft"; change: QueuedChange<NewReservation> };

export interface FormValues {
  vehicleId: string;
  driverId: string;
  userId: string;
  starts: string;
  ends: string;
  purpose: string;
}

const MAX_DAYS = 90;

export function valuesOf(r: Pick<Reservation, "vehicle_id" | "driver_id" | "user_id" | "starts_at" | "ends_at" | "purpose">): FormValues {
  return {
    vehicleId: r.vehicle_id,
    driverId: r.driver_id ?? "",
    userId: r.user_id ?? "",
    starts: toLocalInput(new Date(r.starts_at)),
    ends: toLocalInput(new Date(r.ends_at)),
    purpose: r.purpose ?? "",
  };
}

interface Props {
  mode: FormMode;
  initial: FormValues;
  vehicles: readonly PickerVehicle[];
  drivers: readonly Driver[];
  members: readonly Member[];
  /** Every booking of the vehicle the app knows of (for the overlap check before sending). */
  bookingsOf: (vehicleId: string) => Reservation[];
  onDraft: (draft: (Draft & { vehicleId: string }) | null) => void;
  onDone: (message: string) => void;
}

function plateOf(vehicles: readonly PickerVehicle[], id: string): string {
  const vehicle = vehicles.find((v) => v.id === id);
  return vehicle?.plate || vehicle?.name || "vehicle";
}

/**
 * The drivers a booking can name: active ones, by name. A booking's own driver stays listed
 * (marked, not choosable again) when they are no longer active, so editing it shows who it was.
 */
export function bookableDrivers(drivers: readonly Driver[], currentId: string): Driver[] {
  return drivers.filter((d) => d.status === "active" || (currentId !== "" && d.id === currentId));
}

function periodProblem(start: Date | null, end: Date | null): string | null {
  if (!start || !end) return "Give a start and an end.";
  if (end <= start) return "The end must be after the start.";
  if (end.getTime() - start.getTime() > MAX_DAYS * 24 * 3_600_000) return `At most ${MAX_DAYS} days.`;
  return null;
}

/**
 * Book a vehicle, or change a booking. An overlap with a booking already on the calendar is
 * shown here before anything is sent; one the server finds later shows on the booking.
 */
export function ReservationForm({ mode, initial, vehicles, drivers, members, bookingsOf, onDraft, onDone }: Props) {
  const [values, setValues] = useState(initial);
  const online = useOnline();
  const driverChoices = bookableDrivers(drivers, initial.driverId);
  const [problem, setProblem] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const create = useQueuedMutation(createReservationMutation);
  const update = useQueuedMutation(updateReservationMutation);
  const ids = {
    vehicle: useId(),
    driver: useId(),
    user: useId(),
    starts: useId(),
    ends: useId(),
    purpose: useId(),
    clash: useId(),
  };

  const start = fromLocalInput(values.starts);
  const end = fromLocalInput(values.ends);
  const editingId =
    mode.kind === "edit" ? mode.reservation.id : mode.kind === "draft" ? mode.change.vars.localId : null;
  const clashes =
    start && end && end > start && values.vehicleId
      ? bookingsOf(values.vehicleId).filter(
          (r) =>
            r.status !== "cancelled" &&
            r.id !== editingId &&
            overlaps(start, end, new Date(r.starts_at), new Date(r.ends_at)),
        )
      : [];
  const overlapping = clashes.length > 0;

  useEffect(() => {
    onDraft(start && end && end > start ? { start, end, overlapping, vehicleId: values.vehicleId } : null);
    // Dates are rebuilt each render; their inputs are what change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [values.starts, values.ends, values.vehicleId, overlapping, onDraft]);

  const set = (name: keyof FormValues) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [name]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const wrong = !values.vehicleId ? "Choose a vehicle." : periodProblem(start, end);
    setProblem(wrong);
    if (wrong || overlapping || !start || !end) return;
    const plate = plateOf(vehicles, values.vehicleId);
    try {
      if (mode.kind === "edit") {
        const r = mode.reservation;
        const changes: Record<string, unknown> = {};
        if (values.vehicleId !== r.vehicle_id) changes.vehicle_id = values.vehicleId;
        if ((values.driverId || null) !== r.driver_id) changes.driver_id = values.driverId || null;
        if (values.userId && values.userId !== r.user_id) changes.user_id = values.userId;
        if (start.getTime() !== Date.parse(r.starts_at)) changes.starts_at = start.toISOString();
        if (end.getTime() !== Date.parse(r.ends_at)) changes.ends_at = end.toISOString();
        if (values.purpose.trim() !== r.purpose) changes.purpose = values.purpose.trim();
        if (Object.keys(changes).length === 0) return onDone("Nothing changed.");
        await update.mutate({ reservationId: r.id, version: r.version, changes, label: `Change booking of ${plate}` });
      } else {
        const vars: NewReservation = {
          localId: mode.kind === "draft" ? mode.change.vars.localId : `${LOCAL_PREFIX}${newKey()}`,
          vehicleLabel: plate,
          body: {
            vehicle_id: values.vehicleId,
            driver_id: values.driverId || null,
            ...(values.userId ? { user_id: values.userId } : {}),
            starts_at: start.toISOString(),
            ends_at: end.toISOString(),
            purpose: values.purpose.trim(),
            status: "confirmed",
          },
        };
        if (mode.kind === "draft") await create.replace(mode.change.id, vars);
        else await create.mutate(vars);
      }
      onDone(queuedNotice(`Saved: ${plate}, ${formatPeriod(start, end)}.`, online));
    } catch (error) {
      setFailure(error);
    }
  };

  const title = mode.kind === "new" ? "New reservation" : "Change reservation";
  return (
    <form className="reservation-form" onSubmit={submit} aria-labelledby="reservation-form-title" noValidate>
      <h2 id="reservation-form-title">{title}</h2>
      <div className="field">
        <label htmlFor={ids.vehicle}>Vehicle</label>
        <select id={ids.vehicle} value={values.vehicleId} onChange={set("vehicleId")} required>
          <option value="">Choose a vehicle…</option>
          {vehicles.map((v) => (
            <option key={v.id} value={v.id} disabled={v.status.state === "retired"}>
              {v.plate || v.name || v.id}
              {v.status.state === "retired" ? " (retired)" : ""}
            </option>
          ))}
        </select>
      </div>
      <div className="form-pair">
        <div className="field">
          <label htmlFor={ids.starts}>Starts</label>
          <input id={ids.starts} type="datetime-local" value={values.starts} onChange={set("starts")} required />
        </div>
        <div className="field">
          <label htmlFor={ids.ends}>Ends</label>
          <input
            id={ids.ends}
            type="datetime-local"
            value={values.ends}
            onChange={set("ends")}
            required
            aria-invalid={overlapping}
            aria-describedby={overlapping ? ids.clash : undefined}
          />
        </div>
      </div>
      {overlapping ? (
        <div id={ids.clash} className="notice notice-error" role="alert">
          {plateOf(vehicles, values.vehicleId)} is already booked then:
          <ul className="overlaps">
            {clashes.slice(0, 3).map((r) => (
              <li key={r.id}>
                {formatPeriod(new Date(r.starts_at), new Date(r.ends_at))}
                {r.purpose ? ` (${r.purpose})` : ""}
              </li>
            ))}
          </ul>
          Choose another time or vehicle.
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={ids.driver}>Driver</label>
        <select id={ids.driver} value={values.driverId} onChange={set("driverId")}>
          <option value="">No driver</option>
          {driverChoices.map((d) => (
            <option key={d.id} value={d.id} disabled={d.status !== "active"}>
              {d.name}
              {d.status !== "active" ? ` (${d.status})` : ""}
            </option>
          ))}
        </select>
      </div>
      {members.length ? (
        <div className="field">
          <label htmlFor={ids.user}>Booked for</label>
          <select id={ids.user} value={values.userId} onChange={set("userId")}>
            <option value="">{mode.kind === "edit" ? "Unchanged" : "Me"}</option>
            {members.map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.display_name || m.email}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={ids.purpose}>Purpose</label>
        <input id={ids.purpose} value={values.purpose} onChange={set("purpose")} maxLength={500} data-autofocus />
      </div>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      {failure ? (
        <p className="notice notice-error" role="alert">
          {errorMessage(failure)}
        </p>
      ) : null}
      <div className="button-row">
        <button type="submit" className="button button-primary" aria-disabled={overlapping}>
          {mode.kind === "new" ? "Reserve" : "Save changes"}
        </button>
        {mode.kind === "new" ? null : (
          <button type="button" className="button" onClick={() => onDone("")}>
            Cancel editing
          </button>
        )}
      </div>
    </form>
  );
}
