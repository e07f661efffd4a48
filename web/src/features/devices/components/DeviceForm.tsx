import { useState, type FormEvent, type ReactNode } from "react";

import { Field } from "@/components/Field";
import { ErrorNotice } from "@/components/Status";
import { VehiclePicker } from "@/components/VehiclePicker";
import { fieldErrors } from "@/lib/formErrors";

import { byIntegration, PROTOCOL_LABELS, PROTOCOLS, type Device, type DeviceProtocol } from "../api";

export interface DeviceValues {
  unique_id: string;
  protocol: DeviceProtocol;
  name: string;
  phone: string;
  vehicle_id: string | null;
}

export const BLANK_DEVICE: DeviceValues = {
  unique_id: "",
  protocol: "teltonika",
  name: "",
  phone: "",
  vehicle_id: null,
};

export function deviceValues(device: Device): DeviceValues {
  return {
    unique_id: device.unique_id,
    protocol: device.protocol,
    name: device.name ?? "",
    phone: device.phone ?? "",
    vehicle_id: device.vehicle_id,
  };
}

export function deviceBody(values: DeviceValues) {
  return {
    unique_id: values.unique_id.replace(/\s+/g, ""),
    protocol: values.protocol,
    name: values.name.trim() || null,
    phone: values.phone.trim() || null,
    vehicle_id: values.vehicle_id,
  };
}

interface Props {
  initial: DeviceValues;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  notice?: ReactNode;
  onSubmit: (values: DeviceValues) => void;
  onCancel: () => void;
}

export function DeviceForm({ initial, submitLabel, pending, error, notice, onSubmit, onCancel }: Props) {
  const [values, setValues] = useState(initial);
  const errors = fieldErrors(error);
  // A vendor vehicle's device keeps the id and protocol its integration gave it.
  const managed = byIntegration(initial.protocol);
  const protocols = managed ? [initial.protocol] : PROTOCOLS;
  const set = <K extends keyof DeviceValues>(name: K, value: DeviceValues[K]) =>
    setValues((current) => ({ ...current, [name]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values);
  };
  return (
    <form className="card form-card" onSubmit={submit} noValidate>
      {error ? <ErrorNotice error={error} /> : null}
      {notice}
      <div className="form-grid">
        <Field
          label="Device id"
          required
          error={errors.unique_id}
          hint={
            managed
              ? "Set by its integration, which routes the vendor's positions by it."
              : "The IMEI or id the device reports itself by; spaces are ignored."
          }
        >
          {(control) => (
            <input
              {...control}
              readOnly={managed}
              autoComplete="off"
              spellCheck={false}
              maxLength={80}
              value={values.unique_id}
              onChange={(e) => set("unique_id", e.target.value)}
            />
          )}
        </Field>
        <Field label="Protocol" required error={errors.protocol}>
          {(control) => (
            <select
              {...control}
              disabled={managed}
              value={values.protocol}
              onChange={(e) => set("protocol", e.target.value as DeviceProtocol)}
            >
              {protocols.map((protocol) => (
                <option key={protocol} value={protocol}>
                  {PROTOCOL_LABELS[protocol]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Name" error={errors.name}>
          {(control) => (
            <input {...control} maxLength={200} value={values.name} onChange={(e) => set("name", e.target.value)} />
          )}
        </Field>
        <Field label="SIM phone number" error={errors.phone}>
          {(control) => (
            <input {...control} type="tel" value={values.phone} onChange={(e) => set("phone", e.target.value)} />
          )}
        </Field>
      </div>
      <VehiclePicker
        label="Vehicle"
        noneLabel="Not in a vehicle"
        value={values.vehicle_id}
        onChange={(id) => set("vehicle_id", id)}
        error={errors.vehicle_id}
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
