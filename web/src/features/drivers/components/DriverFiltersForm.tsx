import { useEffect, useId, useState } from "react";

import { humanize } from "@/lib/format";
import { useDebounced } from "@/lib/useDebounced";

import { DRIVER_STATUSES, LICENCE_WARNING_DAYS, type DriverFilters } from "../api";

interface Props {
  filters: DriverFilters;
  onChange: (name: keyof DriverFilters, value: string | undefined) => void;
}

export function DriverFiltersForm({ filters, onChange }: Props) {
  const ids = { q: useId(), status: useId(), licence: useId() };
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
          placeholder="Name, licence number or email"
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
          {DRIVER_STATUSES.map((status) => (
            <option key={status} value={status}>
              {humanize(status)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.licence}>Licence</label>
        <select
          id={ids.licence}
          value={filters.licence ?? ""}
          onChange={(event) => onChange("licence", event.target.value || undefined)}
        >
          <option value="">Any expiry</option>
          <option value="expiring">Expired or expiring within {LICENCE_WARNING_DAYS} days</option>
        </select>
      </div>
    </form>
  );
}
