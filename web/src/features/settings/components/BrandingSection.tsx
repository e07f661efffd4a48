import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { Field } from "@/components/Field";
import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { fieldErrors } from "@/lib/formErrors";

import { tenantQueryOptions, useUpdateTenant, type Tenant } from "../api";
import { checkBranding } from "./brandingCheck";

const HEX = /^#[0-9a-fA-F]{6}$/;
const DEFAULT_COLOUR = "#1d4ed8";

function BrandingForm({ tenant, canEdit }: { tenant: Tenant; canEdit: boolean }) {
  const update = useUpdateTenant();
  const [name, setName] = useState(tenant.name);
  const [color, setColor] = useState(tenant.branding.primary_color ?? "");
  const [logo, setLogo] = useState(tenant.branding.logo_url ?? "");
  const [saved, setSaved] = useState(false);
  const errors = fieldErrors(update.error);
  const valid = color === "" || HEX.test(color);
  const check = valid && color ? checkBranding(color) : null;
  const shown = valid && color ? color : DEFAULT_COLOUR;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    update.mutate(
      {
        name: name.trim(),
        branding: { primary_color: color ? color.toLowerCase() : null, logo_url: logo.trim() || null },
      },
      { onSuccess: () => setSaved(true) },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="branding-title">
      {update.isError ? <ErrorNotice error={update.error} title="Not saved." /> : null}
      <div role="status" aria-live="polite">
        {saved ? <div className="notice notice-success">Branding saved and applied.</div> : null}
      </div>
      <fieldset className="plain-fieldset" disabled={!canEdit}>
        <legend className="visually-hidden">Tenant branding</legend>
        <div className="form-grid">
          <Field label="Organisation name" required error={errors.name}>
            {(control) => <input {...control} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field
            label="Primary colour"
            error={errors.primary_color ?? errors.branding ?? (valid ? undefined : "A colour is # and six hex digits, e.g. #0f5132.")}
            hint="Hex, e.g. #0f5132. Empty for Fleetyard's blue."
          >
            {(control) => (
              <div className="colour-row">
                <input
                  type="color"
                  aria-label="Pick the primary colour"
                  value={valid && color ? color : DEFAULT_COLOUR}
                  onChange={(e) => setColor(e.target.value)}
                />
                <input
                  {...control}
                  spellCheck={false}
                  maxLength={7}
                  placeholder={DEFAULT_COLOUR}
                  value={color}
                  onChange={(e) => setColor(e.target.value.trim())}
                />
              </div>
            )}
          </Field>
          <Field label="Logo URL" error={errors.logo_url} hint="An http(s) address of an image; empty for none.">
            {(control) => (
              <input {...control} type="url" inputMode="url" value={logo} onChange={(e) => setLogo(e.target.value)} />
            )}
          </Field>
        </div>
      </fieldset>
      {check && check.warnings.length > 0 ? (
        <div className="notice notice-warning" role="status">
          <strong>Contrast warning.</strong>
          <ul>
            {check.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <figure className="brand-preview">
        <figcaption className="hint">Header preview</figcaption>
        <div className="brand-bar" style={{ background: shown, color: check?.ink ?? "#ffffff" }}>
          <strong>{name || "Fleetyard"}</strong>
          <span>Vehicles</span>
          <span>Drivers</span>
          <span>Alerts</span>
        </div>
      </figure>
      {canEdit ? (
        <button type="submit" className="button button-primary" disabled={update.isPending || !valid}>
          {update.isPending ? "Saving…" : "Save branding"}
        </button>
      ) : (
        <p className="muted">Owners and administrators change the branding.</p>
      )}
    </form>
  );
}

export function BrandingSection() {
  const access = useAccess();
  const tenant = useQuery(tenantQueryOptions());
  let body;
  if (tenant.isPending) body = <Loading />;
  else if (tenant.isError) body = <ErrorNotice error={tenant.error} title="Can't load the tenant." />;
  else
    body = (
      <BrandingForm
        key={tenant.data.id}
        tenant={tenant.data}
        canEdit={access.can("tenant:manage")}
      />
    );
  return (
    <section className="card" aria-labelledby="branding-title">
      <h2 id="branding-title">Branding</h2>
      <p className="muted">The organisation’s name, colour and logo, as every member sees them.</p>
      {body}
    </section>
  );
}
