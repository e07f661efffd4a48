import { useId, useState, type FormEvent, type ReactNode } from "react";

import { Field } from "@/components/Field";
import { ErrorNotice } from "@/components/Status";
import { fieldErrors } from "@/lib/formErrors";

import { type Webhook } from "../api";
import { ALL_EVENTS, byDomain, type EventTypeInfo } from "../eventTypes";
import "./webhooks.css";

export interface WebhookValues {
  url: string;
  eventTypes: string[];
  description: string;
  active: boolean;
}

export const BLANK_WEBHOOK: WebhookValues = { url: "", eventTypes: [], description: "", active: true };

export function webhookValues(webhook: Webhook): WebhookValues {
  return {
    url: webhook.url,
    eventTypes: webhook.event_types,
    description: webhook.description,
    active: webhook.active,
  };
}

interface Props {
  initial: WebhookValues;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  notice?: ReactNode;
  onSubmit: (values: WebhookValues) => void;
  onCancel?: () => void;
  /** The API's event types with their labels; empty while they load (or if they can't). */
  eventTypes: readonly EventTypeInfo[];
}

/**
 * The API's event types as labelled checkboxes grouped by domain (the real names are sent);
 * a name it doesn't list (a newer server's) can be typed in, comma-separated.
 */
export function WebhookForm({ initial, submitLabel, pending, error, notice, onSubmit, onCancel, eventTypes }: Props) {
  const id = useId();
  const listed = new Set([ALL_EVENTS, ...eventTypes.map((t) => t.type)]);
  const [values, setValues] = useState(initial);
  const [extra, setExtra] = useState(initial.eventTypes.filter((t) => !listed.has(t)).join(", "));
  const errors = fieldErrors(error);
  const chosen = new Set(values.eventTypes);
  const everything = chosen.has(ALL_EVENTS);
  // "*" stands alone: choosing it clears the others, and they wait while it is chosen.
  const toggle = (type: string) =>
    setValues((current) => ({
      ...current,
      eventTypes: chosen.has(type)
        ? current.eventTypes.filter((t) => t !== type)
        : type === ALL_EVENTS
          ? [ALL_EVENTS]
          : [...current.eventTypes, type],
    }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (everything) {
      onSubmit({ ...values, eventTypes: [ALL_EVENTS] });
      return;
    }
    const typed = extra.split(",").map((t) => t.trim()).filter(Boolean);
    const suggested = values.eventTypes.filter((t) => listed.has(t));
    onSubmit({ ...values, eventTypes: [...new Set([...suggested, ...typed])] });
  };
  return (
    <form className="subform" onSubmit={submit} noValidate>
      {error ? <ErrorNotice error={error} /> : null}
      {notice}
      <div className="form-grid">
        <Field label="Payload URL" required error={errors.url} hint="An https address that accepts POSTs.">
          {(control) => (
            <input
              {...control}
              type="url"
              inputMode="url"
              value={values.url}
              onChange={(e) => setValues({ ...values, url: e.target.value })}
            />
          )}
        </Field>
        <Field label="Description" error={errors.description}>
          {(control) => (
            <input
              {...control}
              maxLength={500}
              value={values.description}
              onChange={(e) => setValues({ ...values, description: e.target.value })}
            />
          )}
        </Field>
      </div>
      <fieldset className="checkbox-grid" aria-describedby={errors.event_types ? `${id}-events-error` : undefined}>
        <legend>Event types</legend>
        <label>
          <input type="checkbox" checked={everything} onChange={() => toggle(ALL_EVENTS)} /> Every event (*)
        </label>
        {byDomain(eventTypes).map((domain) => (
          <fieldset key={domain.domain} className="event-domain">
            <legend>{domain.label}</legend>
            {domain.types.map(({ type, label }) => (
              <label key={type} title={type}>
                <input
                  type="checkbox"
                  checked={chosen.has(type)}
                  disabled={everything}
                  onChange={() => toggle(type)}
                />{" "}
                {label}
              </label>
            ))}
          </fieldset>
        ))}
        {errors.event_types ? (
          <span id={`${id}-events-error`} className="field-error">
            {errors.event_types}
          </span>
        ) : null}
      </fieldset>
      <Field label="Other event types" hint="Event type names not listed above, comma-separated.">
        {(control) => (
          <input {...control} disabled={everything} value={extra} onChange={(e) => setExtra(e.target.value)} />
        )}
      </Field>
      <div className="field checkbox-field">
        <label>
          <input
            type="checkbox"
            checked={values.active}
            onChange={(e) => setValues({ ...values, active: e.target.checked })}
          />{" "}
          Active (deliver events to it)
        </label>
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
