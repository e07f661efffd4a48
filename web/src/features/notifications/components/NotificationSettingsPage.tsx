import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { errorMessage } from "@/lib/api";

import {
  alertKindsQueryOptions,
  CHANNEL_LABELS,
  fetchVapidPublicKey,
  forgetSubscription,
  notificationSettingsQueryOptions,
  notificationsQueryOptions,
  saveSubscription,
  SEVERITIES,
  useMarkRead,
  useRefreshSettings,
  useSaveNotificationSettings,
  type AlertKindInfo,
  type ChannelPreference,
  type NotificationSettings,
} from "../api";
import {
  browserEnvironment,
  pushState,
  turnPushOff,
  turnPushOn,
  type PushEnvironment,
  type PushState,
} from "../push";
import { EmailChannelSection } from "./EmailChannelSection";
import "./notifications.css";

const SEVERITY_LABELS = { info: "Everything", warning: "Warnings and critical", critical: "Critical only" };

const server = { vapidPublicKey: fetchVapidPublicKey, save: saveSubscription, forget: forgetSubscription };

function ChannelFields({
  choice,
  kinds,
  available,
  onChange,
}: {
  choice: ChannelPreference;
  kinds: AlertKindInfo[];
  available: boolean;
  onChange: (next: ChannelPreference) => void;
}) {
  const label = CHANNEL_LABELS[choice.channel];
  const chosen = new Set(choice.kinds ?? []);
  const toggleKind = (kind: string) => {
    const next = new Set(chosen);
    if (next.has(kind)) next.delete(kind);
    else next.add(kind);
    onChange({ ...choice, kinds: [...next].sort() });
  };
  return (
    <fieldset className="notification-channel" disabled={!available}>
      <legend>{label}</legend>
      {available ? null : (
        <p className="muted">
          {choice.channel === "email"
            ? "Your organisation has not set up e-mail yet."
            : "Your organisation has not set up push yet."}
        </p>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={choice.enabled}
          onChange={(event) => onChange({ ...choice, enabled: event.target.checked })}
        />
        Send me alerts this way
      </label>
      <label>
        <span>Which severities ({label})</span>
        <select
          value={choice.min_severity ?? "info"}
          onChange={(event) =>
            onChange({ ...choice, min_severity: event.target.value as ChannelPreference["min_severity"] })
          }
        >
          {SEVERITIES.map((severity) => (
            <option key={severity} value={severity}>
              {SEVERITY_LABELS[severity]}
            </option>
          ))}
        </select>
      </label>
      <details>
        <summary>{chosen.size ? `${chosen.size} alert kinds` : "Every alert kind"}</summary>
        <div className="notification-kinds">
          {kinds.map((kind) => (
            <label key={kind.kind} className="checkbox">
              <input
                type="checkbox"
                checked={chosen.has(kind.kind)}
                onChange={() => toggleKind(kind.kind)}
              />
              {kind.label}
            </label>
          ))}
        </div>
      </details>
    </fieldset>
  );
}

/** Permission is asked only here, when the person asks for push on this device. */
export function PushControl({
  env = browserEnvironment(),
  onChanged,
}: {
  env?: PushEnvironment;
  onChanged: () => void;
}) {
  const [state, setState] = useState<PushState | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    pushState(env).then(
      (found) => live && setState(found),
      () => live && setState("off"),
    );
    return () => {
      live = false;
    };
  }, [env]);
  const run = async (action: typeof turnPushOn) => {
    setError(null);
    try {
      setState(await action(env, server));
      onChanged();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  if (state === null) return <Loading label="Checking this device…" />;
  return (
    <div className="push-control" aria-live="polite">
      {error ? <p className="notice notice-error">{error}</p> : null}
      {state === "unsupported" ? <p className="muted">This browser can't receive push notifications.</p> : null}
      {state === "denied" ? (
        <p className="muted">Notifications are blocked for this site; allow them in the browser's site settings.</p>
      ) : null}
      {state === "off" ? (
        <button type="button" className="button" onClick={() => void run(turnPushOn)}>
          Allow notifications on this device
        </button>
      ) : null}
      {state === "on" ? (
        <>
          <p>This device receives push notifications.</p>
          <button type="button" className="button secondary" onClick={() => void run(turnPushOff)}>
            Stop push on this device
          </button>
        </>
      ) : null}
    </div>
  );
}

function PreferencesForm({ settings, kinds }: { settings: NotificationSettings; kinds: AlertKindInfo[] }) {
  const save = useSaveNotificationSettings();
  const refresh = useRefreshSettings();
  const [channels, setChannels] = useState(settings.channels);
  const [saved, setSaved] = useState(false);
  const available = { in_app: true, email: settings.email_available, push: settings.push_available };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    save.mutate(channels, { onSuccess: () => setSaved(true) });
  };
  return (
    <form onSubmit={submit} aria-labelledby="receive-title" className="notification-form">
      {save.isError ? <ErrorNotice error={save.error} title="Not saved." /> : null}
      {channels.map((choice) => (
        <ChannelFields
          key={choice.channel}
          choice={choice}
          kinds={kinds}
          available={available[choice.channel]}
          onChange={(next) => setChannels(channels.map((c) => (c.channel === next.channel ? next : c)))}
        />
      ))}
      <PushControl onChanged={() => void refresh()} />
      <p className="muted">
        {settings.push_subscriptions === 1
          ? "1 device of yours receives push."
          : `${settings.push_subscriptions} devices of yours receive push.`}{" "}
        A burst of identical alerts arrives as one notification with a count.
      </p>
      <div className="form-actions">
        <button type="submit" className="button" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </button>
        {saved ? (
          <span role="status" className="muted">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

function RecentNotifications() {
  const list = useQuery(notificationsQueryOptions());
  const markRead = useMarkRead();
  if (list.isPending) return <Loading label="Loading notifications…" />;
  if (list.isError) return <ErrorNotice error={list.error} />;
  if (list.data.length === 0) return <p className="muted">No notifications yet.</p>;
  return (
    <ul className="notification-list">
      {list.data.map((item) => (
        <li key={item.id} className={item.read_at ? "read" : "unread"} data-severity={item.severity}>
          <strong>{item.title}</strong>
          <span className="muted">{item.body}</span>
          {item.read_at ? null : (
            <button type="button" className="button secondary" onClick={() => markRead.mutate(item.id)}>
              Mark read
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

/** What you receive, by which channel, and your latest notifications. */
export function NotificationSettingsPage() {
  const settings = useQuery(notificationSettingsQueryOptions());
  const kinds = useQuery(alertKindsQueryOptions());
  return (
    <>
      <h1>Notifications</h1>
      <div className="section-stack">
        <section className="card" aria-labelledby="receive-title">
          <h2 id="receive-title">What you receive</h2>
          {settings.isPending || kinds.isPending ? <Loading /> : null}
          {settings.isError ? <ErrorNotice error={settings.error} /> : null}
          {settings.data && kinds.data ? <PreferencesForm settings={settings.data} kinds={kinds.data} /> : null}
        </section>
        <EmailChannelSection />
        <section className="card" aria-labelledby="recent-title">
          <h2 id="recent-title">Recent notifications</h2>
          <RecentNotifications />
        </section>
      </div>
    </>
  );
}
