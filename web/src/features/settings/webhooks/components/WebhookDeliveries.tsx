import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";

import { MoreButton } from "@/components/MoreButton";
import { ErrorNotice, Loading } from "@/components/Status";
import { formatDateTime, humanize } from "@/lib/format";

import {
  DELIVERY_STATUSES,
  eventTypesQueryOptions,
  useRedeliverWebhook,
  webhookDeliveriesQueryOptions,
  type DeliveryStatus,
  type Webhook,
} from "../api";
import { eventTypeLabel } from "../eventTypes";

/** The webhook's deliveries, newest first, filtered by status; any can be sent again. */
export function WebhookDeliveries({ webhook, canManage }: { webhook: Webhook; canManage: boolean }) {
  const id = useId();
  const [status, setStatus] = useState<DeliveryStatus | undefined>(undefined);
  const query = useInfiniteQuery(webhookDeliveriesQueryOptions(webhook.id, status));
  const redeliver = useRedeliverWebhook();
  const eventTypes = useQuery(eventTypesQueryOptions()).data ?? [];
  const deliveries = query.data?.pages.flatMap((page) => page.items) ?? [];
  let body;
  if (query.isPending) body = <Loading label="Loading deliveries…" />;
  else if (query.isError) body = <ErrorNotice error={query.error} title="Can't load deliveries." />;
  else if (deliveries.length === 0) body = <p className="muted">No deliveries.</p>;
  else
    body = (
      <table className="fixed-table">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Answer</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id}>
              <td>
                <span title={delivery.event_type}>{eventTypeLabel(delivery.event_type, eventTypes)}</span>
                {delivery.redelivery_of ? <span className="muted small"> (redelivery)</span> : null}
              </td>
              <td>
                <span className={`badge badge-${delivery.status}`}>{humanize(delivery.status)}</span>
              </td>
              <td>{delivery.attempts}</td>
              <td title={delivery.response_body ?? undefined}>
                {delivery.response_status ?? delivery.error ?? "—"}
              </td>
              <td>{formatDateTime(delivery.created_at)}</td>
              <td>
                {canManage ? (
                  <button
                    type="button"
                    className="button button-small"
                    disabled={redeliver.isPending}
                    aria-label={`Redeliver ${eventTypeLabel(delivery.event_type, eventTypes)} of ${formatDateTime(delivery.created_at)}`}
                    onClick={() => redeliver.mutate({ webhookId: webhook.id, deliveryId: delivery.id })}
                  >
                    Redeliver
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  return (
    <div className="deliveries">
      <div className="field">
        <label htmlFor={id}>Delivery status</label>
        <select
          id={id}
          value={status ?? ""}
          onChange={(event) => setStatus((event.target.value || undefined) as DeliveryStatus | undefined)}
        >
          <option value="">Any status</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
      </div>
      {redeliver.isError ? <ErrorNotice error={redeliver.error} title="Not redelivered." /> : null}
      {redeliver.isSuccess ? (
        <p role="status" className="notice notice-success">
          Queued for delivery again.
        </p>
      ) : null}
      <div className="table-wrap" role="region" aria-label={`Deliveries to ${webhook.url}`} tabIndex={0}>
        {body}
      </div>
      <MoreButton pages={query} label="Show older deliveries" />
    </div>
  );
}
