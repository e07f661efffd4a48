import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { ConfirmButton } from "@/components/ConfirmButton";
import { Field } from "@/components/Field";
import { NoAccess } from "@/components/NoAccess";
import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { fieldErrors } from "@/lib/formErrors";
import { formatDateTime, humanize } from "@/lib/format";

import {
  apiKeysQueryOptions,
  useCreateApiKey,
  useRevokeApiKey,
  type ApiKey,
  type ApiKeyCreated,
  type RoleName,
} from "../api";
import { CopyField } from "./CopyField";

function keyState(key: ApiKey): "revoked" | "expired" | "active" {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && new Date(key.expires_at).getTime() <= Date.now()) return "expired";
  return "active";
}

/** The end of the chosen day, local time, as the API's timestamp. */
function endOfDay(day: string): string {
  return new Date(`${day}T23:59:59`).toISOString();
}

function CreateKeyForm({ onCreated }: { onCreated: (key: ApiKeyCreated) => void }) {
  const access = useAccess();
  const create = useCreateApiKey();
  const [name, setName] = useState("");
  const [role, setRole] = useState<RoleName>("viewer");
  const [expires, setExpires] = useState("");
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), role, expires_at: expires ? endOfDay(expires) : null },
      {
        onSuccess: (key) => {
          setName("");
          setExpires("");
          onCreated(key);
        },
      },
    );
  };
  return (
    <form className="subform" onSubmit={submit} noValidate aria-labelledby="create-key-title">
      <h3 id="create-key-title">Create a key</h3>
      {create.isError ? <ErrorNotice error={create.error} title="Not created." /> : null}
      <div className="form-grid">
        <Field label="Name" required error={errors.name} hint="What uses it, e.g. “Payroll export”.">
          {(control) => <input {...control} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Key role" error={errors.role}>
          {(control) => (
            <select {...control} value={role} onChange={(e) => setRole(e.target.value as RoleName)}>
              {access.grantable.map((option) => (
                <option key={option} value={option}>
                  {humanize(option)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Expires on" error={errors.expires_at} hint="Leave empty for a key that doesn't expire.">
          {(control) => <input {...control} type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />}
        </Field>
      </div>
      <button type="submit" className="button button-primary" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create key"}
      </button>
    </form>
  );
}

function KeysTable({ keys }: { keys: ApiKey[] }) {
  const revoke = useRevokeApiKey();
  if (keys.length === 0) return <p className="muted">No API keys yet.</p>;
  return (
    <>
      {revoke.isError ? <ErrorNotice error={revoke.error} title="Not revoked." /> : null}
      <div className="table-wrap" role="region" aria-label="API keys table" tabIndex={0}>
        <table className="fixed-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key starts</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => {
              const state = keyState(key);
              return (
                <tr key={key.id}>
                  <th scope="row">{key.name}</th>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>{humanize(key.role)}</td>
                  <td>{formatDateTime(key.created_at)}</td>
                  <td>{key.last_used_at ? formatDateTime(key.last_used_at) : "Never"}</td>
                  <td>{key.expires_at ? formatDateTime(key.expires_at) : "Never"}</td>
                  <td>
                    <span className={`badge badge-${state === "active" ? "ok" : state}`}>{humanize(state)}</span>
                  </td>
                  <td>
                    {state === "revoked" ? null : (
                      <ConfirmButton
                        label="Revoke"
                        ariaLabel={`Revoke ${key.name}`}
                        className="button button-danger button-small"
                        prompt={`Revoke “${key.name}”? It stops working at once.`}
                        confirmLabel="Revoke key"
                        pending={revoke.isPending && revoke.variables === key.id}
                        onConfirm={() => revoke.mutate(key.id)}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function ApiKeysSection() {
  const access = useAccess();
  const allowed = access.can("api_keys:manage");
  const keys = useQuery({ ...apiKeysQueryOptions(), enabled: allowed });
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  let body;
  if (!allowed) body = <NoAccess role={access.role} what="manage API keys" />;
  else if (keys.isPending) body = <Loading label="Loading API keys…" />;
  else if (keys.isError) body = <ErrorNotice error={keys.error} title="Can't load API keys." />;
  else body = <KeysTable keys={keys.data} />;
  return (
    <section className="card" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">API keys</h2>
      <p className="muted">Keys let integrations call the API as a role of this tenant.</p>
      {created ? (
        <div className="notice notice-warning new-secret" role="status">
          <p>
            <strong>Key “{created.name}” created.</strong> Copy it now: it is shown this once and
            can’t be seen again.
          </p>
          <CopyField label="The new API key" value={created.key} />
          <button type="button" className="button" onClick={() => setCreated(null)}>
            I’ve stored it
          </button>
        </div>
      ) : null}
      {body}
      {allowed ? <CreateKeyForm onCreated={setCreated} /> : null}
    </section>
  );
}
