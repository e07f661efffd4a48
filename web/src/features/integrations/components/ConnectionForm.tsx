import { useId, useState, type ReactNode } from "react";

import { Field, type ControlProps } from "@/components/Field";

import { fieldName, type FieldSpec, type FormErrors, type FormValues, type ProviderSpec } from "../providers";

/** `new`: credentials to enter; `kept`: stored, shown as set; `replace`: new ones to enter. */
export type CredentialsMode = "new" | "kept" | "replace";

interface Props {
  spec: ProviderSpec;
  values: FormValues;
  onChange: (name: string, value: string | boolean) => void;
  errors: FormErrors;
  credentialsMode: CredentialsMode;
  /** The stored credential fields (an edit): said to be set, never shown. */
  credentialsSet?: readonly string[];
  onReplaceCredentials?: () => void;
  onKeepCredentials?: () => void;
}

function Control({
  field,
  control,
  value,
  onChange,
}: {
  field: FieldSpec;
  control: ControlProps;
  value: string | boolean;
  onChange: (value: string) => void;
}) {
  const text = typeof value === "string" ? value : "";
  if (field.kind === "select") {
    return (
      <select {...control} value={text} onChange={(e) => onChange(e.target.value)}>
        {field.options?.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      {...control}
      type={field.kind === "secret" ? "password" : field.kind === "url" ? "url" : "text"}
      inputMode={field.kind === "number" ? "decimal" : field.kind === "url" ? "url" : undefined}
      // never the browser's saved sign-in: these are another system's credentials
      autoComplete={field.kind === "secret" ? "new-password" : (field.autoComplete ?? "off")}
      spellCheck={false}
      placeholder={field.placeholder}
      value={text}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function FormField({
  field,
  values,
  errors,
  onChange,
}: {
  field: FieldSpec;
  values: FormValues;
  errors: FormErrors;
  onChange: Props["onChange"];
}) {
  const name = fieldName(field);
  const value = values[name] ?? "";
  const error = errors[name];
  const errorId = useId();
  if (field.kind === "checkbox") {
    return (
      <div className="field checkbox-field">
        <label>
          <input
            type="checkbox"
            checked={Boolean(value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(e) => onChange(name, e.target.checked)}
          />{" "}
          {field.label}
        </label>
        {error ? (
          <span id={errorId} className="field-error">
            {error}
          </span>
        ) : null}
      </div>
    );
  }
  return (
    <Field label={field.label} required={field.required} hint={field.hint} error={error}>
      {(control) => <Control field={field} control={control} value={value} onChange={(v) => onChange(name, v)} />}
    </Field>
  );
}

function Fields(props: { fields: readonly FieldSpec[]; values: FormValues; errors: FormErrors; onChange: Props["onChange"] }) {
  return (
    <div className="form-grid">
      {props.fields.map((field) => (
        <FormField key={fieldName(field)} field={field} values={props.values} errors={props.errors} onChange={props.onChange} />
      ))}
    </div>
  );
}

/** Folded until opened, or until one of its fields is refused (so the error is seen). */
function Advanced({ hasError, children }: { hasError: boolean; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="advanced" open={open || hasError} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Advanced</summary>
      {children}
    </details>
  );
}

function CredentialsNote({ children }: { children: ReactNode }) {
  return <p className="hint credentials-note">{children}</p>;
}

/**
 * A provider's fields: the name, its main settings, its credentials (write-only: an edit shows
 * which are set and offers to replace them all), and the rest under "Advanced".
 */
export function ConnectionForm({
  spec,
  values,
  onChange,
  errors,
  credentialsMode,
  credentialsSet = [],
  onReplaceCredentials,
  onKeepCredentials,
}: Props) {
  const main = spec.fields.filter((f) => f.part === "settings" && !f.advanced);
  const secrets = spec.fields.filter((f) => f.part === "credentials");
  const advanced = spec.fields.filter((f) => f.part === "settings" && f.advanced);
  const advancedHasError = advanced.some((f) => errors[fieldName(f)]);
  const labelOf = (key: string) => secrets.find((f) => f.key === key)?.label ?? key;
  const documentError = (part: "settings" | "credentials") =>
    errors[part] ? (
      <p className="field-error" role="alert">
        {errors[part]}
      </p>
    ) : null;
  return (
    <>
      <div className="form-grid">
        <Field label="Name" required error={errors.name} hint="How this connection is shown, e.g. “Samsara – North region”.">
          {(control) => (
            <input {...control} value={String(values.name ?? "")} onChange={(e) => onChange("name", e.target.value)} />
          )}
        </Field>
      </div>
      {main.length ? <Fields fields={main} values={values} errors={errors} onChange={onChange} /> : null}
      {documentError("settings")}
      <fieldset className="credentials">
        <legend>Credentials</legend>
        {credentialsMode === "kept" ? (
          <div className="credentials-kept">
            <p>
              {credentialsSet.length
                ? credentialsSet.map((key) => (
                    <span key={key} className="credential-set">
                      {labelOf(key)}: <span className="badge badge-ok">set</span>
                    </span>
                  ))
                : "None set."}
            </p>
            <button type="button" className="button button-small" onClick={onReplaceCredentials}>
              Replace credentials
            </button>
          </div>
        ) : (
          <>
            <CredentialsNote>
              Stored encrypted and never shown again{credentialsMode === "replace" ? "; these replace all the stored ones" : ""}.
            </CredentialsNote>
            <Fields fields={secrets} values={values} errors={errors} onChange={onChange} />
            {credentialsMode === "replace" && onKeepCredentials ? (
              <button type="button" className="button button-small" onClick={onKeepCredentials}>
                Keep the stored credentials
              </button>
            ) : null}
          </>
        )}
        {documentError("credentials")}
      </fieldset>
      {advanced.length ? (
        <Advanced hasError={advancedHasError}>
          <Fields fields={advanced} values={values} errors={errors} onChange={onChange} />
        </Advanced>
      ) : null}
    </>
  );
}
