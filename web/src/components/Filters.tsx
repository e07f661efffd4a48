import { useEffect, useId, useState, type ReactNode } from "react";

import { useDebounced } from "@/lib/useDebounced";

/** A list's filter bar: a search landmark that never submits. */
export function FilterBar({ label, children }: { label?: string; children: ReactNode }) {
  return (
    <form className="filters" role="search" aria-label={label} onSubmit={(event) => event.preventDefault()}>
      {children}
    </form>
  );
}

/** Search as you type: `onChange` gets the text 250 ms after typing stops ("" → undefined). */
export function SearchField(props: {
  value: string | undefined;
  placeholder: string;
  onChange: (value: string | undefined) => void;
}) {
  const { value, onChange } = props;
  const id = useId();
  const [text, setText] = useState(value ?? "");
  const settled = useDebounced(text, 250);
  useEffect(() => {
    if ((value ?? "") !== settled) onChange(settled || undefined);
  }, [settled, value, onChange]);
  return (
    <div className="field field-grow">
      <label htmlFor={id}>Search</label>
      <input
        id={id}
        type="search"
        placeholder={props.placeholder}
        value={text}
        maxLength={100}
        onChange={(event) => setText(event.target.value)}
      />
    </div>
  );
}

/** One filter as a select: "any" first, then each option as [value, label]. */
export function FilterSelect(props: {
  label: string;
  value: string | undefined;
  anyLabel: string;
  options: readonly (readonly [string, string])[];
  onChange: (value: string | undefined) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value ?? ""} onChange={(event) => props.onChange(event.target.value || undefined)}>
        <option value="">{props.anyLabel}</option>
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}
