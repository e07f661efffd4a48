import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useMemo } from "react";
import { Link, useSearchParams } from "react-router";

import { ErrorNotice } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { formatDateTime, humanize } from "@/lib/format";
import { LoadingOrOffline } from "@/lib/offline";

import {
  COMPONENTS,
  KINDS,
  STATUSES,
  workOrderListQueryOptions,
  type Component,
  type WorkOrderFilters,
  type WorkOrderKind,
  type WorkOrderStatus,
} from "../api";
import { formatMoney, STATUS_LABEL } from "../workorders";
import "../workorders.css";
import { PriorityText, StatusBadge } from "./WorkOrderBadges";

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((v) => v === value);
}

/** The list's filters, kept in the address so a filtered list can be shared and reloaded. */
function useFilters() {
  const [params, setParams] = useSearchParams();
  const filters: WorkOrderFilters = useMemo(
    () => ({
      status: pick<WorkOrderStatus>(params.get("status"), STATUSES),
      kind: pick<WorkOrderKind>(params.get("kind"), KINDS),
      component: pick<Component>(params.get("component"), COMPONENTS),
      vehicle_id: params.get("vehicle") ?? undefined,
    }),
    [params],
  );
  const set = (name: string, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  return { filters, set };
}

function Select<T extends string>(props: {
  label: string;
  value: T | undefined;
  options: readonly T[];
  words: (value: T) => string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field-inline">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value ?? ""} onChange={(event) => props.onChange(event.target.value)}>
        <option value="">Any</option>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {props.words(option)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Work orders, newest first, filtered by status, kind, component and vehicle. */
export function WorkOrdersPage() {
  const { filters, set } = useFilters();
  const query = useInfiniteQuery(workOrderListQueryOptions(filters));
  const rows = query.data?.pages.flatMap((page) => page.items) ?? [];
  let body;
  if (query.isPending) body = <LoadingOrOffline query={query} label="Loading work orders…" />;
  else if (query.isError) body = <ErrorNotice error={query.error} title="Work orders could not load." />;
  else if (!rows.length) body = <p className="muted">No work orders match these filters.</p>;
  else
    body = (
      <div className="table-scroll fit-rows" role="region" aria-label="Work orders list" tabIndex={0}>
        <table className="data-table wo-table">
          <thead>
            <tr>
              <th scope="col">No.</th>
              <th scope="col">Title</th>
              <th scope="col">Vehicle</th>
              <th scope="col">Status</th>
              <th scope="col">Kind</th>
              <th scope="col">Priority</th>
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((order) => (
              <tr key={order.id}>
                <td>{order.number}</td>
                <td>
                  <Link to={`/work-orders/${order.id}`}>{order.title}</Link>
                  <div className="muted small">{humanize(order.component)}</div>
                </td>
                <td>
                  <VehicleLink vehicleId={order.vehicle_id} />
                </td>
                <td>
                  <StatusBadge status={order.status} />
                </td>
                <td>{humanize(order.kind)}</td>
                <td>
                  <PriorityText priority={order.priority} />
                </td>
                <td className="num">{formatMoney(order.total, order.currency)}</td>
                <td>{formatDateTime(order.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <>
      <p>
        <Link to="/maintenance">← Maintenance</Link>
      </p>
      <h1>Work orders</h1>
      <form className="filters wo-filters" aria-label="Filter work orders" onSubmit={(event) => event.preventDefault()}>
        <Select label="Status" value={filters.status} options={STATUSES} words={(s) => STATUS_LABEL[s]} onChange={(v) => set("status", v)} />
        <Select label="Kind" value={filters.kind} options={KINDS} words={humanize} onChange={(v) => set("kind", v)} />
        <Select label="Component" value={filters.component} options={COMPONENTS} words={humanize} onChange={(v) => set("component", v)} />
        {filters.vehicle_id ? (
          <p className="muted">
            For one vehicle: <VehicleLink vehicleId={filters.vehicle_id} />{" "}
            <button type="button" className="button-link" onClick={() => set("vehicle", "")}>
              all vehicles
            </button>
          </p>
        ) : null}
      </form>
      {body}
      {query.hasNextPage ? (
        <button type="button" className="button" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? "Loading…" : "Show more"}
        </button>
      ) : null}
    </>
  );
}
