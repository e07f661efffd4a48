import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";

import { humanize } from "@/lib/format";
import { useDebounced } from "@/lib/useDebounced";

import {
  VEHICLE_STATUSES,
  VEHICLE_TYPES,
  vehicleGroupsQueryOptions,
  type VehicleFilters,
} from "../api";

interface Props {
  filters: VehicleFilters;
  onChange: (name: keyof VehicleFilters, value: string | undefined) => void;
}

/** Search as you type (debounced), and filters by status, type and group. */
export function VehicleFiltersForm({ filters, onChange }: Props) {
  const ids = { q: useId(), status: useId(), type: useId(), group: useId() };
  const groups = useQuery(vehicleGroupsQueryOptions());
  const [text, setText] = useState(filters.q ?? "");
  const settled = useDebounced(text, 250);

  useEffect(() => {
    if ((filters.q ?? "") !== settled) onChange("q", settled || undefined);
  }, [settled, filters.q, onChange]);

  return (
    <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
      <div className="field field-grow">
        <label htmlFor={ids.q}>Search</label>
        <input
          id={ids.q}
          type="search"
          placeholder="Plate, name, VIN, make or model"
          value={text}
          maxLength={100}
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.status}>Status</label>
        <select
          id={ids.status}
          value={filters.status ?? ""}
          onChange={(event) => onChange("status", event.target.value || undefined)}
        >
          <option value="">Any status</option>
          {VEHICLE_STATUSES.map((status) => (
            <option key={status} value={status}>
              {humanize(status)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.type}>Type</label>
        <select
          id={ids.type}
          value={filters.type ?? ""}
          onChange={(event) => onChange("type", event.target.value || undefined)}
        >
          <option value="">Any type</option>
          {VEHICLE_TYPES.map((type) => (
            <option key={type} value={type}>
              {humanize(type)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.group}>Group</label>
        <select
          id={ids.group}
          value={filters.groupId ?? ""}
          onChange={(event) => onChange("groupId", event.target.value || undefined)}
        >
          <option value="">Any group</option>
          {(groups.data?.items ?? []).map((group) => (
            <option key={group.id} value={group.id}>
              {group.name}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}
