import { useInfiniteQuery } from "@tanstack/react-query";

import { ErrorNotice, Loading } from "@/components/Status";
import { formatDateTime, humanize } from "@/lib/format";

import { vehicleEventsQueryOptions, type AuditEvent } from "../api";

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function Changes({ changes }: { changes: AuditEvent["changes"] }) {
  const entries = Object.entries(changes ?? {});
  if (entries.length === 0) return null;
  return (
    <ul className="changes">
      {entries.map(([field, change]) => {
        const pair = (change ?? {}) as { before?: unknown; after?: unknown };
        return (
          <li key={field}>
            <code>{field}</code>: {show(pair.before)} → {show(pair.after)}
          </li>
        );
      })}
    </ul>
  );
}

export function VehicleAudit({ vehicleId }: { vehicleId: string }) {
  const query = useInfiniteQuery(vehicleEventsQueryOptions(vehicleId));
  const events = query.data?.pages.flatMap((page) => page.items) ?? [];
  let body;
  if (query.isPending) body = <Loading />;
  else if (query.isError) body = <ErrorNotice error={query.error} />;
  else if (events.length === 0) body = <p className="muted">No changes recorded.</p>;
  else
    body = (
      <ol className="plain-list timeline">
        {events.map((event) => (
          <li key={event.id}>
            <strong>{humanize(event.type)}</strong>{" "}
            <span className="muted">
              {formatDateTime(event.occurred_at)} by {event.actor_type}
            </span>
            <Changes changes={event.changes} />
          </li>
        ))}
      </ol>
    );
  return (
    <section className="card card-wide" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit trail</h2>
      {body}
      {query.hasNextPage ? (
        <button
          type="button"
          className="button"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          {query.isFetchingNextPage ? "Loading…" : "Show older changes"}
        </button>
      ) : null}
    </section>
  );
}
