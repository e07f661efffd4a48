import { useQuery } from "@tanstack/react-query";
import { useState, type ChangeEvent, type FormEvent, type ReactNode } from "react";

import { Field } from "@/components/Field";
import { ErrorNotice } from "@/components/Status";
import { VehiclePicker } from "@/components/VehiclePicker";
import { fieldErrors } from "@/lib/formErrors";
import { humanize } from "@/lib/format";

import { DRIVER_STATUSES, driverGroupsQueryOptions, type Driver, type DriverStatus } from "../api";

/** What the form edits; blank text means "none". */
export interface DriverValues {
  name: string;
  email: string;
  phone: string;
  licence_number: string;
  licence_class: string;
  licence_expiry: string;
  status: DriverStatus;
  assigned_vehicle_id: string | null;
  group_id: string | null;
}

type TextField = "name" | "email" | "phone" | "licence_number" | "licence_class" | "licence_expiry";

export const BLANK_DRIVER: DriverValues = {
  name: "",
  email: "",
  phone: "",
  licence_number: "",
  licence_class: "",
  licence_expiry: "",
  status: "active",
  assigned_vehicle_id: null,
  group_id: null,
};

export function driverValues(driver: Driver): DriverValues {
  return {
    name: driver.name,
    email: driver.email ?? "",
    phone: driver.phone ?? "",
    licence_number: driver.licence_number ?? "",
    licence_class: driver.licence_class ?? "",
    licence_expiry: driver.licence_expiry ?? "",
    status: driver.status,
    assigned_vehicle_id: driver.assigned_vehicle_id,
    group_id: driver.group_id,
  };
}

/** The values as the API takes them: trimmed, blank text as null. */
export function driverBody(values: DriverValues) {
  const text = (value: string) => value.trim() || null;
  return {
    name: values.name.trim(),
    email: text(values.email),
    phone: text(values.phone),
    licence_number: text(values.licence_number),
    licence_class: text(values.licence_class),
    licence_expiry: values.licence_expiry || null,
    status: values.status,
    assigned_vehicle_id: values.assigned_vehicle_id,
    group_id: values.group_id,
  };
}

interface Props {
  initial: DriverValues;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  /** Shown above the fields (a version conflict's way out, say). */
  notice?: ReactNode;
  onSubmit: (values: DriverValues) => void;
  onCancel: () => void;
}

export function DriverForm({ initial, submitLabel, pending, error, notice, onSubmit, onCancel }: Props) {
  const [values, setValues] = useState(initial);
  const groups = useQuery(driverGroupsQueryOptions());
  const errors = fieldErrors(error);
  const set = <K extends keyof DriverValues>(name: K, value: DriverValues[K]) =>
    setValues((current) => ({ ...current, [name]: value }));
  const text = (name: TextField) => ({
    value: values[name],
    onChange: (event: ChangeEvent<HTMLInputElement>) => set(name, event.target.value),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values);
  };

  return (
    <form className="card form-card" onSubmit={submit} noValidate>
      {error ? <ErrorNotice error={error} /> : null}
      {notice}
      <div className="form-grid">
        <Field label="Name" required error={errors.name}>
          {(control) => <input {...control} autoComplete="off" maxLength={200} {...text("name")} />}
        </Field>
        <Field label="Status" error={errors.status}>
          {(control) => (
            <select
              {...control}
              value={values.status}
              onChange={(event) => set("status", event.target.value as DriverStatus)}
            >
              {DRIVER_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {humanize(status)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Email" error={errors.email}>
          {(control) => <input {...control} type="email" autoComplete="off" {...text("email")} />}
        </Field>
        <Field label="Phone" error={errors.phone} hint="Digits, an optional + first.">
          {(control) => <input {...control} type="tel" autoComplete="off" {...text("phone")} />}
        </Field>
        <Field label="Licence number" error={errors.licence_number}>
          {(control) => <input {...control} maxLength={64} {...text("licence_number")} />}
        </Field>
        <Field label="Licence class" error={errors.licence_class} hint="B, C1, CE …">
          {(control) => <input {...control} maxLength={32} {...text("licence_class")} />}
        </Field>
        <Field label="Licence expiry" error={errors.licence_expiry}>
          {(control) => <input {...control} type="date" {...text("licence_expiry")} />}
        </Field>
        <Field label="Group" error={errors.group_id}>
          {(control) => (
            <select
              {...control}
              value={values.group_id ?? ""}
              onChange={(event) => set("group_id", event.target.value || null)}
            >
              <option value="">No group</option>
              {(groups.data?.items ?? []).map((group) => (
                <option key={group.id} value={group.id}>
                  {group.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <VehiclePicker
        label="Assigned vehicle"
        noneLabel="No vehicle"
        value={values.assigned_vehicle_id}
        onChange={(id) => set("assigned_vehicle_id", id)}
        error={errors.assigned_vehicle_id}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
