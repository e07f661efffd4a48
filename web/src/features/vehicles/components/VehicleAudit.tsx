import { useInfiniteQuery } from "@tanstack/react-query";

import { MoreButton } from "@/components/MoreButton";
import { ErrorNotice, Loading } from "@/components/Status";
import { describeEvent } from "@/lib/audit/describe";
import { formatDateTime, humanize } from "@/lib/format";

import { vehicleEventsQueryOptions } from "../api";

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
        {events.map((event) => {
          const { actor, action } = describeEvent(event, { onRecordPage: true });
          return (
            <li key={event.id}>
              <strong>{actor}</strong> {action}.
              <div className="muted small">
                {humanize(event.type)} ·{" "}
                <time dateTime={event.occurred_at}>{formatDateTime(event.occurred_at)}</time>
              </div>
            </li>
          );
        })}
      </ol>
    );
  return (
    <section className="card card-wide" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit trail</h2>
      {body}
      <MoreButton pages={query} label="Show older changes" />
    </section>
  );
}
