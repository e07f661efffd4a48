import { useId } from "react";

import { VehiclePicker } from "@/components/VehiclePicker";
import { humanize } from "@/lib/format";

import { SEVERITIES, STATE_FILTERS, type AlertFilters } from "../api";

interface Props {
  filters: AlertFilters;
  onChange: (name: keyof AlertFilters, value: string | undefined) => void;
}

const STATE_LABELS = { open: "Open", cleared: "Cleared", all: "All" } as const;

export function AlertFiltersForm({ filters, onChange }: Props) {
  const ids = { severity: useId(), acknowledged: useId(), state: useId() };
  return (
    <form className="filters alert-filters" role="search" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
      <fieldset className="segmented">
        <legend>Show</legend>
        <div className="segmented-options">
          {STATE_FILTERS.map((state) => (
            <label key={state}>
              <input
                type="radio"
                name={ids.state}
                value={state}
                checked={filters.state === state}
                onChange={() => onChange("state", state)}
              />
              <span>{STATE_LABELS[state]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={ids.severity}>Severity</label>
        <select
          id={ids.severity}
          value={filters.severity ?? ""}
          onChange={(event) => onChange("severity", event.target.value || undefined)}
        >
          <option value="">Any severity</option>
          {SEVERITIES.map((severity) => (
            <option key={severity} value={severity}>
              {humanize(severity)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.acknowledged}>Acknowledged</label>
        <select
          id={ids.acknowledged}
          value={filters.acknowledged ?? ""}
          onChange={(event) => onChange("acknowledged", event.target.value || undefined)}
        >
          <option value="">Either</option>
          <option value="no">Not yet</option>
          <option value="yes">Acknowledged</option>
        </select>
      </div>
      <div className="field-grow">
        <VehiclePicker
          label="Vehicle"
          noneLabel="Any vehicle"
          value={filters.vehicleId ?? null}
          onChange={(id) => onChange("vehicleId", id ?? undefined)}
        />
      </div>
    </form>
  );
}
