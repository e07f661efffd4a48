import { useState, type FormEvent } from "react";

import { Field } from "@/components/Field";
import { ErrorNotice } from "@/components/Status";
import { fieldErrors } from "@/lib/formErrors";

import { GROUP_KINDS, KIND_LABELS, MAX_RADIUS_M, MIN_RADIUS_M, type Group, type GroupKind } from "../api";

export interface GroupValues {
  name: string;
  kind: GroupKind;
  parent_id: string;
  latitude: string;
  longitude: string;
  radius_m: string;
}

export function blankGroup(kind: GroupKind = "depot", parentId = ""): GroupValues {
  return { name: "", kind, parent_id: parentId, latitude: "", longitude: "", radius_m: "" };
}

export function groupValues(group: Group): GroupValues {
  const text = (value: number | null) => (value === null ? "" : String(value));
  return {
    name: group.name,
    kind: group.kind,
    parent_id: group.parent_id ?? "",
    latitude: text(group.latitude),
    longitude: text(group.longitude),
    radius_m: text(group.radius_m),
  };
}

const number = (text: string) => (text.trim() === "" ? null : Number(text.trim().replace(",", ".")));

/**
 * The body the API takes: a location is both coordinates or none (sent as null to clear
 * it); a radius left empty lets the server pick its default. Anything else it refuses with
 * a message per field.
 */
export function groupBody(values: GroupValues) {
  const latitude = number(values.latitude);
  const longitude = number(values.longitude);
  const radius = number(values.radius_m);
  const located = latitude !== null || longitude !== null;
  return {
    name: values.name.trim(),
    kind: values.kind,
    parent_id: values.parent_id || null,
    latitude,
    longitude,
    ...(located && radius !== null ? { radius_m: radius } : {}),
  };
}

interface Props {
  initial: GroupValues;
  /** Groups it may be put under (not itself nor its own subgroups). */
  parents: readonly Group[];
  title: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (values: GroupValues) => void;
  onCancel: () => void;
}

export function GroupForm({ initial, parents, title, submitLabel, pending, error, onSubmit, onCancel }: Props) {
  const [values, setValues] = useState(initial);
  const errors = fieldErrors(error);
  const set = <K extends keyof GroupValues>(name: K, value: GroupValues[K]) =>
    setValues((current) => ({ ...current, [name]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values);
  };
  return (
    <form className="card form-card group-form" onSubmit={submit} noValidate aria-label={title}>
      <h2>{title}</h2>
      {error ? <ErrorNotice error={error} /> : null}
      <div className="form-grid">
        <Field label="Name" required error={errors.name}>
          {(control) => (
            <input {...control} maxLength={200} value={values.name} onChange={(e) => set("name", e.target.value)} />
          )}
        </Field>
        <Field label="Kind" required error={errors.kind}>
          {(control) => (
            <select {...control} value={values.kind} onChange={(e) => set("kind", e.target.value as GroupKind)}>
              {GROUP_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {KIND_LABELS[kind]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Part of" error={errors.parent_id} hint="A depot usually belongs to a region.">
          {(control) => (
            <select {...control} value={values.parent_id} onChange={(e) => set("parent_id", e.target.value)}>
              <option value="">Nothing (top level)</option>
              {parents.map((group) => (
                <option key={group.id} value={group.id}>
                  {group.name} ({KIND_LABELS[group.kind].toLowerCase()})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <fieldset className="group-place">
        <legend>Location</legend>
        <p className="muted">
          Where a depot stands: a vehicle within the radius is shown as at this depot. Leave the coordinates empty
          for no location.
        </p>
        <div className="form-grid">
          <Field label="Latitude" error={errors.latitude} hint="Degrees, −90 to 90 (60.1699)">
            {(control) => (
              <input
                {...control}
                type="number"
                step="any"
                min={-90}
                max={90}
                inputMode="decimal"
                value={values.latitude}
                onChange={(e) => set("latitude", e.target.value)}
              />
            )}
          </Field>
          <Field label="Longitude" error={errors.longitude} hint="Degrees, −180 to 180 (24.9384)">
            {(control) => (
              <input
                {...control}
                type="number"
                step="any"
                min={-180}
                max={180}
                inputMode="decimal"
                value={values.longitude}
                onChange={(e) => set("longitude", e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Radius (m)"
            error={errors.radius_m}
            hint={`${MIN_RADIUS_M}–${MAX_RADIUS_M} m; 100 m if left empty`}
          >
            {(control) => (
              <input
                {...control}
                type="number"
                step={10}
                min={MIN_RADIUS_M}
                max={MAX_RADIUS_M}
                inputMode="numeric"
                value={values.radius_m}
                onChange={(e) => set("radius_m", e.target.value)}
              />
            )}
          </Field>
        </div>
      </fieldset>
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
