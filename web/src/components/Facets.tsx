import { useId, useState } from "react";

import { formatNumber } from "@/lib/format";
import type { FacetValue } from "@/lib/search";

import "./facets.css";

/** Values shown before "N more". */
const SHOWN = 8;

export interface FacetGroup {
  /** The filter it sets (`make`, `group_id`…). */
  filter: string;
  label: string;
  values: readonly FacetValue[];
  selected: readonly string[];
  /** A value's words (a status's, say); the server's label (a group's name) otherwise. */
  valueLabel?: (value: string) => string;
}

function ValueButton(props: { label: string; count: number; pressed: boolean; onClick: () => void }) {
  return (
    <button type="button" className="facet-value" aria-pressed={props.pressed} onClick={props.onClick}>
      <span className="facet-label">{props.label}</span>{" "}
      <span className="facet-count">{formatNumber(props.count)}</span>
    </button>
  );
}

function Facet(props: { group: FacetGroup; loading: boolean; onToggle: (filter: string, value: string) => void }) {
  const { group, onToggle } = props;
  const [all, setAll] = useState(false);
  const id = useId();
  // Chosen values stay on screen (at 0) so they can be let go of; empty values filter nothing.
  const counted = group.values.filter((v) => v.value !== "");
  const missing = group.selected
    .filter((value) => !counted.some((v) => v.value === value))
    .map((value) => ({ value, label: null, count: 0 }));
  const values = [...counted, ...missing];
  const hidden = values.length - SHOWN;
  const shown = all || hidden <= 1 ? values : values.slice(0, SHOWN);
  const nameOf = (v: FacetValue) => group.valueLabel?.(v.value) ?? v.label ?? v.value;
  return (
    <div className="facet" role="group" aria-labelledby={id}>
      <span className="facet-name" id={id}>
        {group.label}
      </span>
      {values.length === 0 && !props.loading ? <span className="muted facet-none">none</span> : null}
      {shown.map((v) => (
        <ValueButton
          key={v.value}
          label={nameOf(v)}
          count={v.count}
          pressed={group.selected.includes(v.value)}
          onClick={() => onToggle(group.filter, v.value)}
        />
      ))}
      {hidden > 1 ? (
        <button type="button" className="button-link facet-more" onClick={() => setAll(!all)}>
          {all ? "Fewer" : `${hidden} more`}
          <span className="visually-hidden"> {group.label.toLowerCase()} values</span>
        </button>
      ) : null}
    </div>
  );
}

/**
 * Facet filters with their counts: a row per facet of toggle buttons ("Ford 63"), several
 * values of one facet meaning any of them. Above a list, so a wide table keeps its width.
 */
export function Facets(props: {
  label: string;
  groups: readonly FacetGroup[];
  onToggle: (filter: string, value: string) => void;
  onClear: () => void;
  /** Why there are no counts (offline, an error); the choices still show. */
  note?: string | null;
  /** Counts not here yet: empty rows say nothing rather than "none". */
  loading?: boolean;
}) {
  const chosen = props.groups.some((g) => g.selected.length > 0);
  return (
    <section className="facets" aria-label={props.label}>
      {props.groups.map((group) => (
        <Facet key={group.filter} group={group} loading={props.loading ?? false} onToggle={props.onToggle} />
      ))}
      {props.note ? <p className="muted facet-note">{props.note}</p> : null}
      {chosen ? (
        <button type="button" className="button-link facet-clear" onClick={props.onClear}>
          Clear filters
        </button>
      ) : null}
    </section>
  );
}
