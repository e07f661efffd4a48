import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ConfirmButton } from "@/components/ConfirmButton";
import { NoAccess } from "@/components/NoAccess";
import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { isApiError } from "@/lib/api";
import { isForbidden, isVersionConflict } from "@/lib/formErrors";

import { CopyField } from "../../components/CopyField";
import {
  useCreateWebhook,
  useDeleteWebhook,
  usePingWebhook,
  useRotateWebhookSecret,
  useUpdateWebhook,
  eventTypesQueryOptions,
  webhooksQueryOptions,
  type EventTypeInfo,
  type Webhook,
  type WebhookWithSecret,
} from "../api";
import { WebhookDeliveries } from "./WebhookDeliveries";
import { eventTypeLabels } from "../eventTypes";
import { BLANK_WEBHOOK, WebhookForm, webhookValues, type WebhookValues } from "./WebhookForm";

/**
 * Who manages webhooks: owners and admins. The API names it `webhooks:manage`, which this
 * branch's role table doesn't know yet; `tenant:manage` belongs to the same two roles.
 */
const MANAGE = "webhooks:manage" as const;

function SecretNotice({ secret, onDone }: { secret: WebhookWithSecret; onDone: () => void }) {
  return (
    <div className="notice notice-warning new-secret" role="status">
      <p>
        <strong>Signing secret for {secret.url}.</strong> Copy it now: it is shown this once.
      </p>
      <CopyField label="The webhook's signing secret" value={secret.secret} />
      <button type="button" className="button" onClick={onDone}>
        I’ve stored it
      </button>
    </div>
  );
}

function changes(webhook: Webhook, values: WebhookValues) {
  return {
    version: webhook.version,
    url: values.url.trim(),
    event_types: values.eventTypes,
    description: values.description.trim(),
    active: values.active,
  };
}

function WebhookItem({
  webhook,
  canManage,
  onSecret,
  eventTypes,
}: {
  webhook: Webhook;
  canManage: boolean;
  onSecret: (secret: WebhookWithSecret) => void;
  eventTypes: readonly EventTypeInfo[];
}) {
  const [editing, setEditing] = useState(false);
  const [showDeliveries, setShowDeliveries] = useState(false);
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const rotate = useRotateWebhookSecret();
  const ping = usePingWebhook();
  const error = remove.error ?? rotate.error ?? ping.error ?? (editing ? null : update.error);
  return (
    <li className="webhook">
      <div className="webhook-head">
        <div>
          <strong className="webhook-url">{webhook.url}</strong>{" "}
          <span className={`badge badge-${webhook.active ? "ok" : "inactive"}`}>
            {webhook.active ? "Active" : "Paused"}
          </span>
          {webhook.description ? <div className="muted">{webhook.description}</div> : null}
          <div className="muted small">Events: {eventTypeLabels(webhook.event_types, eventTypes)}</div>
        </div>
        <div className="actions">
          <button
            type="button"
            className="button button-small"
            aria-expanded={showDeliveries}
            onClick={() => setShowDeliveries(!showDeliveries)}
          >
            Deliveries
          </button>
          {canManage ? (
            <>
              <button type="button" className="button button-small" aria-expanded={editing} onClick={() => setEditing(!editing)}>
                Edit
              </button>
              <button
                type="button"
                className="button button-small"
                disabled={ping.isPending}
                onClick={() => ping.mutate(webhook.id, { onSuccess: () => setShowDeliveries(true) })}
              >
                {ping.isPending ? "Pinging…" : "Send ping"}
              </button>
              <button
                type="button"
                className="button button-small"
                disabled={update.isPending}
                onClick={() => update.mutate({ id: webhook.id, body: { version: webhook.version, active: !webhook.active } })}
              >
                {webhook.active ? "Pause" : "Resume"}
              </button>
              <ConfirmButton
                label="Rotate secret"
                className="button button-small"
                prompt="Rotate the signing secret? The old one stops working."
                confirmLabel="Rotate secret"
                pending={rotate.isPending}
                onConfirm={() => rotate.mutate(webhook.id, { onSuccess: onSecret })}
              />
              <ConfirmButton
                label="Delete"
                className="button button-danger button-small"
                prompt={`Delete the webhook to ${webhook.url}?`}
                confirmLabel="Delete webhook"
                pending={remove.isPending}
                onConfirm={() => remove.mutate({ id: webhook.id, version: webhook.version })}
              />
            </>
          ) : null}
        </div>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {ping.isSuccess ? <p className="notice notice-success" role="status">Ping sent.</p> : null}
      {editing ? (
        <WebhookForm
          initial={webhookValues(webhook)}
          eventTypes={eventTypes}
          submitLabel="Save webhook"
          pending={update.isPending}
          error={update.error}
          notice={
            isVersionConflict(update.error) ? (
              <p className="muted">The list now shows the latest version; cancel and edit it again.</p>
            ) : null
          }
          onSubmit={(values) =>
            update.mutate({ id: webhook.id, body: changes(webhook, values) }, { onSuccess: () => setEditing(false) })
          }
          onCancel={() => {
            update.reset();
            setEditing(false);
          }}
        />
      ) : null}
      {showDeliveries ? <WebhookDeliveries webhook={webhook} canManage={canManage} /> : null}
    </li>
  );
}

function CreateWebhook({
  onSecret,
  eventTypes,
}: {
  onSecret: (secret: WebhookWithSecret) => void;
  eventTypes: readonly EventTypeInfo[];
}) {
  const create = useCreateWebhook();
  const [formKey, setFormKey] = useState(0);
  return (
    <div aria-labelledby="create-webhook-title" role="group">
      <h3 id="create-webhook-title">Add a webhook</h3>
      <WebhookForm
        key={formKey}
        initial={BLANK_WEBHOOK}
        eventTypes={eventTypes}
        submitLabel="Add webhook"
        pending={create.isPending}
        error={create.error}
        onSubmit={(values) =>
          create.mutate(
            {
              url: values.url.trim(),
              event_types: values.eventTypes,
              description: values.description.trim(),
              active: values.active,
            },
            {
              onSuccess: (created) => {
                onSecret(created);
                setFormKey((key) => key + 1);
              },
            },
          )
        }
      />
    </div>
  );
}

/**
 * Webhooks, once the API has them: nothing at all while `GET /api/v1/webhooks` answers 404
 * (a server without the webhooks API).
 */
export function WebhooksSection() {
  const access = useAccess();
  const canManage = access.can(MANAGE);
  const webhooks = useQuery(webhooksQueryOptions());
  // asked once the webhooks API answered: a server without it has no list either
  const types = useQuery({ ...eventTypesQueryOptions(), enabled: webhooks.isSuccess });
  const eventTypes = types.data ?? [];
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  if (webhooks.isError && isApiError(webhooks.error) && webhooks.error.isNotFound) return null;
  let body;
  if (webhooks.isPending) body = <Loading label="Loading webhooks…" />;
  else if (webhooks.isError)
    body = isForbidden(webhooks.error) ? (
      <NoAccess role={access.role} what="see webhooks" />
    ) : (
      <ErrorNotice error={webhooks.error} title="Can't load webhooks." />
    );
  else if (webhooks.data.length === 0) body = <p className="muted">No webhooks yet.</p>;
  else
    body = (
      <ul className="plain-list webhook-list">
        {webhooks.data.map((webhook) => (
          <WebhookItem
            key={`${webhook.id}-${webhook.version}`}
            webhook={webhook}
            canManage={canManage}
            onSecret={setSecret}
            eventTypes={eventTypes}
          />
        ))}
      </ul>
    );
  return (
    <section className="card" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p className="muted">Fleetyard POSTs each chosen event to these addresses, signed with the webhook’s secret.</p>
      {secret ? <SecretNotice secret={secret} onDone={() => setSecret(null)} /> : null}
      {body}
      {canManage && webhooks.isSuccess && !types.isPending ? (
        <CreateWebhook onSecret={setSecret} eventTypes={eventTypes} />
      ) : null}
    </section>
  );
}
