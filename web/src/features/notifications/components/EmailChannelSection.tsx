import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { Field } from "@/components/Field";
import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { fieldErrors } from "@/lib/formErrors";

import {
  notificationChannelsQueryOptions,
  useSaveEmailChannel,
  useSendTestEmail,
  type EmailChannelUpdate,
  type NotificationChannels,
} from "../api";

type Security = EmailChannelUpdate["security"];

function EmailForm({ channels }: { channels: NotificationChannels }) {
  const email = channels.email;
  const save = useSaveEmailChannel();
  const test = useSendTestEmail();
  const [enabled, setEnabled] = useState(email.enabled);
  const [host, setHost] = useState(email.host ?? "");
  const [port, setPort] = useState(String(email.port ?? 587));
  const [security, setSecurity] = useState<Security>((email.security as Security) ?? "starttls");
  const [username, setUsername] = useState(email.username ?? "");
  const [password, setPassword] = useState("");
  const [from, setFrom] = useState(email.from_address ?? "");
  const [saved, setSaved] = useState(false);
  const errors = fieldErrors(save.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const body: EmailChannelUpdate = {
      enabled,
      host: host.trim(),
      port: Number(port),
      security,
      username: username.trim() || null,
      from_address: from.trim(),
    };
    if (password) body.password = password; // write-only: left out keeps the stored one
    save.mutate(body, {
      onSuccess: () => {
        setSaved(true);
        setPassword("");
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="email-channel-title" className="notification-form">
      {save.isError ? <ErrorNotice error={save.error} title="Not saved." /> : null}
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Send e-mail notifications
      </label>
      <Field label="SMTP server" error={errors.host} required>
        {(control) => <input {...control} value={host} onChange={(e) => setHost(e.target.value)} />}
      </Field>
      <Field label="Port" error={errors.port}>
        {(control) => (
          <input {...control} inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
        )}
      </Field>
      <Field label="Security" error={errors.security}>
        {(control) => (
          <select {...control} value={security} onChange={(e) => setSecurity(e.target.value as Security)}>
            <option value="starttls">STARTTLS</option>
            <option value="tls">TLS</option>
            <option value="none">None</option>
          </select>
        )}
      </Field>
      <Field label="User name" error={errors.username}>
        {(control) => <input {...control} value={username} onChange={(e) => setUsername(e.target.value)} />}
      </Field>
      <Field
        label="Password"
        error={errors.password}
        hint={email.password_set ? "A password is saved; leave empty to keep it." : undefined}
      >
        {(control) => (
          <input
            {...control}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      <Field label="From address" error={errors.from_address} required>
        {(control) => (
          <input {...control} type="email" value={from} onChange={(e) => setFrom(e.target.value)} />
        )}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save e-mail settings"}
        </button>
        <button
          type="button"
          className="button secondary"
          disabled={!email.host || test.isPending}
          onClick={() => test.mutate()}
        >
          {test.isPending ? "Sending…" : "Send a test e-mail to me"}
        </button>
        {saved ? (
          <span role="status" className="muted">
            Saved.
          </span>
        ) : null}
      </div>
      {test.isError ? <ErrorNotice error={test.error} title="Not sent." /> : null}
      {test.data ? (
        <p role="status" className={test.data.delivered ? "muted" : "notice notice-error"}>
          {test.data.delivered
            ? `The server accepted a test e-mail to ${test.data.to}.`
            : `Not delivered: ${test.data.error ?? "unknown error"}`}
        </p>
      ) : null}
    </form>
  );
}

/** The organisation's SMTP server (owners and admins): what e-mail notifications go through. */
export function EmailChannelSection() {
  const allowed = useAccess().can("tenant:manage");
  const channels = useQuery({ ...notificationChannelsQueryOptions(), enabled: allowed });
  if (!allowed) return null;
  return (
    <section className="card" aria-labelledby="email-channel-title">
      <h2 id="email-channel-title">E-mail for the organisation</h2>
      {channels.isPending ? <Loading /> : null}
      {channels.isError ? <ErrorNotice error={channels.error} /> : null}
      {channels.data ? <EmailForm channels={channels.data} /> : null}
    </section>
  );
}
