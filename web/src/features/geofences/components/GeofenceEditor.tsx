import { useQuery } from "@tanstack/react-query";
import { useId, type FormEvent } from "react";

import { ConfirmButton } from "@/components/ConfirmButton";
import { Field } from "@/components/Field";

import { groupChoicesQueryOptions, type ActiveWindow, type AlertOn } from "../api";
import { ALERT_LABELS, ALERT_ON, WEEKDAY_LABELS, WEEKDAYS, type FieldErrors, type FormState } from "../form";
import type { Draft } from "../geometry";
import { ShapeInputs } from "./ShapeInputs";

interface Props {
  isNew: boolean;
  draft: Draft;
  form: FormState;
  errors: FieldErrors;
  /** What is wrong with the shape, in plain words (ours before a save, the server's after). */
  shapeProblem: string | null;
  /** The save's failure not tied to a field. */
  saveError: string | null;
  canManage: boolean;
  saving: boolean;
  deleting: boolean;
  onDraft: (draft: Draft) => void;
  onForm: (form: FormState) => void;
  onSave: () => void;
  onCancel: () => void;
  onDelete: () => void;
}

function toggle<T>(list: T[], item: T, on: boolean): T[] {
  return on ? (list.includes(item) ? list : [...list, item]) : list.filter((x) => x !== item);
}

/** The geofence's shape as numbers and its fields; save, cancel, delete. */
export function GeofenceEditor(props: Props) {
  const { form, errors, onForm, canManage } = props;
  const id = useId();
  const groups = useQuery({ ...groupChoicesQueryOptions(), enabled: !form.allVehicles });
  const set = (patch: Partial<FormState>) => onForm({ ...form, ...patch });
  const setWindow = (index: number, patch: Partial<ActiveWindow>) =>
    set({ activeHours: form.activeHours.map((w, i) => (i === index ? { ...w, ...patch } : w)) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSave();
  };

  return (
    <form className="geofence-editor" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>{props.isNew ? "New geofence" : `Edit ${form.name || "geofence"}`}</h2>
      <ShapeInputs draft={props.draft} onDraft={props.onDraft} />
      <p className={props.shapeProblem ? "geofence-problem" : "visually-hidden"} role="status" aria-live="polite">
        {props.shapeProblem ? `Can't save this shape: ${props.shapeProblem}.` : ""}
      </p>
      <fieldset disabled={!canManage}>
        <legend className="visually-hidden">Details</legend>
        <Field label="Name" error={errors.name} required>
          {(control) => (
            <input {...control} value={form.name} maxLength={200} onChange={(e) => set({ name: e.target.value })} />
          )}
        </Field>
        <Field label="Colour" error={errors.colour}>
          {(control) => <input {...control} type="color" value={form.colour} onChange={(e) => set({ colour: e.target.value })} />}
        </Field>
        <fieldset className="geofence-applies">
          <legend>Applies to</legend>
          <label className="check">
            <input type="checkbox" checked={form.allVehicles} onChange={(e) => set({ allVehicles: e.target.checked })} />
            All vehicles
          </label>
          {!form.allVehicles ? (
            groups.isPending ? (
              <p>Loading groups…</p>
            ) : (
              <ul className="geofence-checks">
                {(groups.data ?? []).map((group) => (
                  <li key={group.id}>
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={form.groupIds.includes(group.id)}
                        onChange={(e) => set({ groupIds: toggle(form.groupIds, group.id, e.target.checked) })}
                      />
                      {group.name}
                    </label>
                  </li>
                ))}
              </ul>
            )
          ) : null}
          {errors.groupIds ? <p className="field-error">{errors.groupIds}</p> : null}
          <p className="hint">A group's subgroups are included.</p>
        </fieldset>
        <div className="geofence-numbers">
          <Field label="Speed limit (km/h)" error={errors.speedLimit} hint="Empty: none">
            {(control) => (
              <input
                {...control}
                type="number"
                min={5}
                max={300}
                inputMode="numeric"
                value={form.speedLimit}
                onChange={(e) => set({ speedLimit: e.target.value })}
              />
            )}
          </Field>
          <Field label="Stay longer than (min)" error={errors.dwellMinutes} hint="Empty: not watched">
            {(control) => (
              <input
                {...control}
                type="number"
                min={1}
                max={10080}
                inputMode="numeric"
                value={form.dwellMinutes}
                onChange={(e) => set({ dwellMinutes: e.target.value })}
              />
            )}
          </Field>
        </div>
        <fieldset>
          <legend>Alert on</legend>
          <ul className="geofence-checks geofence-checks-row">
            {ALERT_ON.map((kind: AlertOn) => (
              <li key={kind}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={form.alertOn.includes(kind)}
                    onChange={(e) => set({ alertOn: toggle(form.alertOn, kind, e.target.checked) })}
                  />
                  {ALERT_LABELS[kind]}
                </label>
              </li>
            ))}
          </ul>
          <p className="hint">Every entry, exit, stay and speeding is in the event log; these also open an alert.</p>
        </fieldset>
        <fieldset>
          <legend>Active hours</legend>
          {form.activeHours.length === 0 ? <p className="hint">Always active.</p> : null}
          {form.activeHours.map((window, index) => (
            <div className="geofence-window" key={index}>
              <ul className="geofence-checks geofence-checks-row" aria-label={`Window ${index + 1} days`}>
                {WEEKDAYS.map((day) => (
                  <li key={day}>
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={window.days.includes(day)}
                        onChange={(e) => setWindow(index, { days: toggle(window.days, day, e.target.checked) })}
                      />
                      {WEEKDAY_LABELS[day]}
                    </label>
                  </li>
                ))}
              </ul>
              <label htmlFor={`${id}-w${index}-start`}>From</label>
              <input
                id={`${id}-w${index}-start`}
                type="time"
                value={window.start}
                onChange={(e) => setWindow(index, { start: e.target.value })}
              />
              <label htmlFor={`${id}-w${index}-end`}>to</label>
              <input
                id={`${id}-w${index}-end`}
                type="time"
                value={window.end}
                onChange={(e) => setWindow(index, { end: e.target.value })}
              />
              <button
                type="button"
                className="button-quiet button-small"
                aria-label={`Remove window ${index + 1}`}
                onClick={() => set({ activeHours: form.activeHours.filter((_, i) => i !== index) })}
              >
                Remove
              </button>
            </div>
          ))}
          {errors.activeHours ? <p className="field-error">{errors.activeHours}</p> : null}
          <button
            type="button"
            className="button button-small"
            onClick={() =>
              set({ activeHours: [...form.activeHours, { days: ["mon", "tue", "wed", "thu", "fri"], start: "07:00", end: "17:00" }] })
            }
          >
            Add hours
          </button>
          <p className="hint">In the tenant's time zone; an end at or before the start runs past midnight.</p>
        </fieldset>
      </fieldset>
      {props.saveError ? (
        <p className="field-error" role="alert">
          {props.saveError}
        </p>
      ) : null}
      <div className="actions">
        {canManage ? (
          <button type="submit" className="button button-primary" disabled={props.saving}>
            {props.saving ? "Saving…" : "Save"}
          </button>
        ) : null}
        <button type="button" className="button" onClick={props.onCancel}>
          {canManage ? "Cancel" : "Close"}
        </button>
        {canManage && !props.isNew ? (
          <ConfirmButton
            label="Delete"
            prompt={`Delete ${form.name}? Vehicles inside are not reported as leaving.`}
            confirmLabel="Delete geofence"
            onConfirm={props.onDelete}
            pending={props.deleting}
          />
        ) : null}
      </div>
    </form>
  );
}
