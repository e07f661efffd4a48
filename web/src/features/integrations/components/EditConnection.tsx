import { useState, type FormEvent } from "react";

import { ErrorNotice } from "@/components/Status";
import { isVersionConflict } from "@/lib/formErrors";

import { useUpdateIntegration, type Integration } from "../api";
import { documents, providerSpec, valuesOf } from "../providers";
import { ConnectionForm } from "./ConnectionForm";
import { useConnectionForm } from "./useConnectionForm";

/**
 * A saved connection's name and settings; its credentials stay as stored unless replaced
 * (all of them at once: the API replaces the whole set).
 */
export function EditConnection({ integration, onDone }: { integration: Integration; onDone: () => void }) {
  const spec = providerSpec(integration.provider);
  const form = useConnectionForm(valuesOf(spec, integration));
  const [replacing, setReplacing] = useState(integration.status?.state === "credentials_rejected");
  const update = useUpdateIntegration();

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!form.check(spec, replacing)) return;
    const { name, settings, credentials } = documents(spec, form.values, integration.settings);
    update.mutate(
      {
        id: integration.id,
        body: { version: integration.version, name, settings, ...(replacing ? { credentials } : {}) },
      },
      { onSuccess: onDone, onError: form.refused },
    );
  };

  const keepCredentials = () => {
    setReplacing(false);
    for (const field of spec.fields) if (field.part === "credentials") form.change(`credentials.${field.key}`, "");
  };

  return (
    <form
      ref={form.formRef}
      className="subform"
      onSubmit={save}
      noValidate
      aria-label={`Edit ${integration.name}`}
    >
      {update.error ? <ErrorNotice error={update.error} title="Not saved." /> : null}
      {isVersionConflict(update.error) ? (
        <p className="muted">Someone saved this connection meanwhile; cancel and edit it again.</p>
      ) : null}
      <ConnectionForm
        spec={spec}
        values={form.values}
        onChange={form.change}
        errors={form.errors}
        credentialsMode={replacing ? "replace" : "kept"}
        credentialsSet={integration.credentials_set}
        onReplaceCredentials={() => setReplacing(true)}
        onKeepCredentials={keepCredentials}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save changes"}
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
