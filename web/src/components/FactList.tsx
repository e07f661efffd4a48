import type { ReactNode } from "react";

/** One line of a record: what it is, and its value. */
export type Fact = [term: string, value: ReactNode];

/** A record's facts as a description list, one term and value a line (styled by `.facts`). */
export function FactList({ facts, className }: { facts: Fact[]; className?: string }) {
  return (
    <dl className={className ? `facts ${className}` : "facts"}>
      {facts.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
