import { useState, type FormEvent } from "react";

import { ErrorNotice } from "@/components/Status";

import {
  useCreateIntegration,
  useDeleteIntegration,
  useTestIntegration,
  useUpdateIntegration,
  type Integration,
  type ProviderName,
} from "../api";
import { PROVIDERS, blankValues, documents, providerSpec } from "../providers";
import { ConnectionForm } from "./ConnectionForm";
import { TestResult } from "./TestResult";
import { useConnectionForm } from "./useConnectionForm";

interface Props {
  /** The paused record a test saved first (hidden from the list until saved or dropped). */
  onDraft: (id: string | null) => void;
  onDone: (saved: Integration | null) => void;
}

/**
 * A new connection: choose the provider, fill in its form, test it, save it. The API tests
 * stored credentials only, so "Test connection" first keeps the form as a paused record;
 * "Save" resumes it, "Cancel" deletes it.
 */
export function AddConnection({ onDraft, onDone }: Props) {
  const [provider, setProvider] = useState<ProviderName>("samsara");
  const spec = providerSpec(provider);
  const form = useConnectionForm(blankValues(spec));
  const [draft, setDraft] = useState<Integration | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const create = useCreateIntegration();
  const update = useUpdateIntegration();
  const remove = useDeleteIntegration();
  const test = useTestIntegration();
  const busy = create.isPending || update.isPending || test.isPending || remove.isPending;

  const choose = (name: ProviderName) => {
    setProvider(name);
    form.reset(blankValues(providerSpec(name)));
    test.reset();
    setFailure(null);
  };

  /** The form as a record: created the first time, updated after (paused until saved). */
  const keep = async (paused: boolean): Promise<Integration | null> => {
    setFailure(null);
    const { name, settings, credentials } = documents(spec, form.values, draft?.settings);
    try {
      const saved = draft
        ? await update.mutateAsync({ id: draft.id, body: { version: draft.version, name, settings, credentials, paused } })
        : await create.mutateAsync({ provider, name, settings, credentials, paused });
      setDraft(saved);
      onDraft(paused ? saved.id : null);
      return saved;
    } catch (error) {
      setFailure(error);
      form.refused(error);
      return null;
    }
  };

  const runTest = async () => {
    test.reset();
    if (!form.check(spec, true)) return;
    const saved = await keep(true);
    if (saved) test.mutate(saved.id);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!form.check(spec, true)) return;
    const saved = await keep(false);
    if (saved) onDone(saved);
  };

  const cancel = () => {
    if (!draft) {
      onDone(null);
      return;
    }
    remove.mutate(
      { id: draft.id, version: draft.version },
      {
        onSuccess: () => {
          onDraft(null);
          onDone(null);
        },
        onError: setFailure,
      },
    );
  };

  return (
    <form ref={form.formRef} className="subform add-connection" onSubmit={save} noValidate aria-labelledby="add-connection-title">
      <h3 id="add-connection-title">Add a connection</h3>
      <fieldset className="provider-choice" disabled={Boolean(draft)}>
        <legend>Provider</legend>
        {PROVIDERS.map((option) => (
          <label key={option.name} className={option.name === provider ? "provider chosen" : "provider"}>
            <input
              type="radio"
              name="provider"
              value={option.name}
              checked={option.name === provider}
              onChange={() => choose(option.name)}
            />
            <span className="provider-name">{option.label}</span>
            <span className="hint provider-blurb">{option.blurb}</span>
          </label>
        ))}
      </fieldset>
      {failure ? <ErrorNotice error={failure} title="Not saved." /> : null}
      <ConnectionForm spec={spec} values={form.values} onChange={form.change} errors={form.errors} credentialsMode="new" />
      <TestResult check={test.data} error={test.error} />
      <div className="actions">
        <button type="button" className="button" disabled={busy} onClick={() => void runTest()}>
          {test.isPending ? "Testing…" : "Test connection"}
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {create.isPending || update.isPending ? "Saving…" : "Save connection"}
        </button>
        <button type="button" className="button" disabled={remove.isPending} onClick={cancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
