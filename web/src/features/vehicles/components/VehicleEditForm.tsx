import { useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";

import { errorMessage } from "@/lib/api";
import { humanize } from "@/lib/format";
import { queuedNotice, useOnline, useQueuedMutation } from "@/lib/offline";

import {
  FUEL_TYPES,
  updateVehicleMutation,
  VEHICLE_STATUSES,
  VEHICLE_TYPES,
  vehicleGroupsQueryOptions,
  type Vehicle,
} from "../api";
import { changesFrom, formFromVehicle, type FormProblems, type VehicleForm } from "./vehicleForm";

interface FieldProps {
  name: keyof VehicleForm;
  label: string;
  problems: FormProblems;
  hint?: string;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}

/** A labelled control with its hint and, when wrong, the reason (announced with it). */
function Field({ name, label, problems, hint, children }: FieldProps) {
  const id = useId();
  const problem = problems[name];
  const describedBy = [hint ? `${id}-hint` : "", problem ? `${id}-problem` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": Boolean(problem), "aria-describedby": describedBy || undefined })}
      {hint ? (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      ) : null}
      {problem ? (
        <span id={`${id}-problem`} className="field-problem">
          {problem}
        </span>
      ) : null}
    </div>
  );
}

interface Props {
  vehicle: Vehicle;
  onDone: (message: string) => void;
}

/**
 * Edit a vehicle: only the fields that changed are sent, with the version they were made on,
 * through the offline queue (so it works, and waits, without a network).
 */
export function VehicleEditForm({ vehicle: shown, onDone }: Props) {
  // The record as it was when the form opened: a refetch meanwhile (someone else's save) must
  // not move the edit's base, or the fields typed here would silently undo theirs.
  const [vehicle] = useState(shown);
  const [form, setForm] = useState(() => formFromVehicle(vehicle));
  const [problems, setProblems] = useState<FormProblems>({});
  const [failure, setFailure] = useState<unknown>(null);
  const groups = useQuery(vehicleGroupsQueryOptions());
  const update = useQueuedMutation(updateVehicleMutation);
  const titleId = useId();

  const set =
    (name: keyof VehicleForm) =>
    (event: { target: { value: string } }) =>
      setForm((current) => ({ ...current, [name]: event.target.value }));

  const online = useOnline();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { changes, problems: found } = changesFrom(form, vehicle);
    setProblems(found);
    if (Object.keys(found).length) return;
    if (Object.keys(changes).length === 0) {
      onDone("Nothing changed.");
      return;
    }
    try {
      await update.mutate({
        vehicleId: vehicle.id,
        version: vehicle.version,
        changes,
        plate: vehicle.plate || vehicle.name || "vehicle",
      });
      onDone(queuedNotice("Saved.", online));
    } catch (error) {
      setFailure(error);
    }
  };

  const text = (name: keyof VehicleForm, label: string, extra: Record<string, unknown> = {}, hint?: string) => (
    <Field name={name} label={label} problems={problems} hint={hint}>
      {(props) => <input {...props} {...extra} value={form[name]} onChange={set(name)} />}
    </Field>
  );

  return (
    <form className="vehicle-form" onSubmit={submit} aria-labelledby={titleId} noValidate>
      <h3 id={titleId} className="visually-hidden">
        Edit vehicle
      </h3>
      <div className="form-grid">
        {text("plate", "Plate", { maxLength: 20, autoComplete: "off" })}
        {text("name", "Name", { maxLength: 200 })}
        {text("vin", "VIN", { maxLength: 17, autoComplete: "off" })}
        {text("make", "Make", { maxLength: 100 })}
        {text("model", "Model", { maxLength: 100 })}
        {text("year", "Year", { type: "number", min: 1900, max: 2100, inputMode: "numeric" })}
        <Field name="type" label="Type" problems={problems}>
          {(props) => (
            <select {...props} value={form.type} onChange={set("type")}>
              {VEHICLE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {humanize(type)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="fuel_type" label="Fuel" problems={problems}>
          {(props) => (
            <select {...props} value={form.fuel_type} onChange={set("fuel_type")}>
              {FUEL_TYPES.map((fuel) => (
                <option key={fuel} value={fuel}>
                  {humanize(fuel)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {text("odometer_km", "Odometer (km)", { type: "number", min: 0, step: "0.1", inputMode: "decimal" })}
        <Field name="group_id" label="Group" problems={problems}>
          {(props) => (
            <select {...props} value={form.group_id} onChange={set("group_id")}>
              <option value="">No group</option>
              {(groups.data?.items ?? []).map((group) => (
                <option key={group.id} value={group.id}>
                  {group.name}
                </option>
              ))}
              {form.group_id && !groups.data?.items.some((g) => g.id === form.group_id) ? (
                <option value={form.group_id}>Current group</option>
              ) : null}
            </select>
          )}
        </Field>
        {text("tags", "Tags", { maxLength: 2000 }, "Separate tags with commas.")}
        <Field name="status" label="Status" problems={problems}>
          {(props) => (
            <select {...props} value={form.status} onChange={set("status")}>
              {VEHICLE_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {humanize(status)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {form.status === "in_maintenance" ? (
          <>
            {text("shop", "Shop", { maxLength: 200, required: true })}
            {text("expected_return", "Expected back", { type: "date" })}
          </>
        ) : null}
        {form.status === "retired" ? (
          <>
            {text("retired_on", "Retired on", { type: "date", required: true })}
            {text("reason", "Reason", { maxLength: 500, required: true })}
          </>
        ) : null}
      </div>
      {failure ? (
        <p className="notice notice-error" role="alert">
          {errorMessage(failure)}
        </p>
      ) : null}
      <div className="button-row">
        <button type="submit" className="button button-primary">
          Save changes
        </button>
        <button type="button" className="button" onClick={() => onDone("")}>
          Cancel
        </button>
      </div>
    </form>
  );
}
