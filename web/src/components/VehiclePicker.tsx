import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";

import { vehicleLabel, vehicleRefQueryOptions, vehicleSearchQueryOptions } from "@/lib/vehicleRefs";
import { useDebounced } from "@/lib/useDebounced";

import "./components.css";

interface Props {
  label: string;
  value: string | null;
  onChange: (vehicleId: string | null) => void;
  /** The "nothing chosen" option's text ("No vehicle", "Any vehicle"). */
  noneLabel: string;
  error?: string;
  disabled?: boolean;
}

/**
 * Choose one vehicle of thousands: type part of its plate or name, then pick it from the
 * matches. Two plain controls (a search box and a select), so keyboards and screen readers
 * need nothing special.
 */
export function VehiclePicker({ label, value, onChange, noneLabel, error, disabled }: Props) {
  const ids = { select: useId(), search: useId(), error: useId(), hint: useId() };
  const [text, setText] = useState("");
  const settled = useDebounced(text, 250);
  const matches = useQuery(vehicleSearchQueryOptions(settled));
  const current = useQuery({ ...vehicleRefQueryOptions(value ?? ""), enabled: Boolean(value) });
  const options = matches.data?.items ?? [];
  const showCurrent = value && !options.some((v) => v.id === value);

  return (
    <div className="field vehicle-picker">
      <label htmlFor={ids.select}>{label}</label>
      <div className="picker-row">
        <input
          id={ids.search}
          type="search"
          aria-label={`Find a vehicle for “${label}”`}
          aria-describedby={ids.hint}
          placeholder="Type a plate or name"
          value={text}
          maxLength={100}
          disabled={disabled}
          onChange={(event) => setText(event.target.value)}
        />
        <select
          id={ids.select}
          value={value ?? ""}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${ids.error} ${ids.hint}` : ids.hint}
          onChange={(event) => onChange(event.target.value || null)}
        >
          <option value="">{noneLabel}</option>
          {showCurrent ? (
            <option value={value}>{current.data ? vehicleLabel(current.data) : "Current vehicle"}</option>
          ) : null}
          {options.map((vehicle) => (
            <option key={vehicle.id} value={vehicle.id}>
              {vehicleLabel(vehicle)}
            </option>
          ))}
        </select>
      </div>
      <span id={ids.hint} className="hint">
        {matches.isError
          ? "Can't search vehicles right now."
          : matches.data?.next_cursor
            ? "Showing the first matches; type more to narrow them."
            : `${options.length} match${options.length === 1 ? "" : "es"}.`}
      </span>
      {error ? (
        <span id={ids.error} className="field-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}
