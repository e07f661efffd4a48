import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useMemo, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { Facets, type FacetGroup } from "@/components/Facets";
import { MoreButton } from "@/components/MoreButton";
import { ErrorNotice, Loading } from "@/components/Status";
import { formatNumber, humanize } from "@/lib/format";
import { useOnline } from "@/lib/offline";
import { MAX_QUERY_LENGTH, SEARCH_FILTERS, correctionText, type SearchFilter, type SearchHit } from "@/lib/search";

import { queryText, recordHref, resultsQueryOptions, typeLabel, typeName, type ResultsFilters } from "../api";
import { Highlighted, fieldName, titleAndMatches } from "./Highlighted";
import "./search.css";

/** The facets beside the results: the record type first, then the records' own. */
const SHOWN: { param: string; facet: string; label: string; worded?: boolean }[] = [
  { param: "types", facet: "types", label: "Type of record" },
  { param: "status", facet: "status", label: "Status", worded: true },
  { param: "type", facet: "type", label: "Vehicle type", worded: true },
  { param: "make", facet: "make", label: "Make" },
  { param: "model", facet: "model", label: "Model" },
  { param: "group_id", facet: "group", label: "Group" },
  { param: "severity", facet: "severity", label: "Severity", worded: true },
];

function useResultsFilters(params: URLSearchParams): ResultsFilters {
  return useMemo(() => {
    const filters: ResultsFilters["filters"] = {};
    for (const name of SEARCH_FILTERS) {
      const values = params.getAll(name).filter(Boolean);
      if (values.length) filters[name] = values;
    }
    return { q: queryText(params.get("q") ?? ""), types: params.getAll("types").filter(Boolean), filters };
  }, [params]);
}

function Result({ hit }: { hit: SearchHit }) {
  const { inTitle, others } = titleAndMatches(hit.title, hit.matches);
  return (
    <li className="card search-result">
      <div className="search-result-head">
        <Link to={recordHref(hit.type, hit.id)}>
          {inTitle ? <Highlighted value={inTitle.value} highlights={inTitle.highlights} /> : hit.title}
        </Link>
        <span className="search-type">{typeName(hit.type)}</span>
      </div>
      <div className="search-result-detail">
        {hit.subtitle ? <span>{hit.subtitle}</span> : null}
        {others.map((match) => (
          <span key={match.field}>
            {fieldName(match.field)}: <Highlighted value={match.value} highlights={match.highlights} />
          </span>
        ))}
      </div>
    </li>
  );
}

/** The text again, to change it (a new one from the header starts it anew: keyed by it). */
function SearchForm({ initial, onSearch }: { initial: string; onSearch: (q: string) => void }) {
  const inputId = useId();
  const [text, setText] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(queryText(text));
  };
  return (
    <form className="search-page-form" role="search" aria-label="Search again" onSubmit={submit}>
      <label htmlFor={inputId} className="visually-hidden">
        Search for
      </label>
      <input
        id={inputId}
        type="search"
        value={text}
        maxLength={MAX_QUERY_LENGTH}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" className="button button-primary">
        Search
      </button>
    </form>
  );
}

/** `/search?q=…`: every match, a page at a time, with counts per type and value beside them. */
export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const chosen = useResultsFilters(params);
  const online = useOnline();
  const query = useInfiniteQuery({ ...resultsQueryOptions(chosen), enabled: online && chosen.q.length > 0 });
  const first = query.data?.pages[0];
  const hits = query.data?.pages.flatMap((page) => page.items) ?? [];

  const search = (q: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.set("q", q);
      return next;
    });
  const toggle = (param: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      const values = next.getAll(param);
      next.delete(param);
      for (const v of values.includes(value) ? values.filter((x) => x !== value) : [...values, value]) {
        next.append(param, v);
      }
      return next;
    });
  const clear = () => setParams(new URLSearchParams({ q: chosen.q }));
  const groups: FacetGroup[] = SHOWN.filter(({ param, facet }) => (first?.facets?.[facet]?.length ?? 0) > 0 || params.has(param)).map(
    ({ param, facet, label, worded }) => ({
      filter: param,
      label,
      values: first?.facets?.[facet] ?? [],
      selected: param === "types" ? chosen.types : (chosen.filters[param as SearchFilter] ?? []),
      valueLabel: param === "types" ? typeLabel : worded ? humanize : undefined,
    }),
  );
  const corrected = first ? correctionText(first.corrections) : null;

  return (
    <>
      <h1>Search</h1>
      <SearchForm key={chosen.q} initial={chosen.q} onSearch={search} />
      {!online ? (
        <p className="notice notice-error" role="status">
          Search needs a connection. The lists (vehicles, drivers…) show what is saved on this device.
        </p>
      ) : !chosen.q ? (
        <p className="muted">Type a plate, a name, a VIN or its end, an IMEI&apos;s last digits, a make or a model.</p>
      ) : query.isError && !first ? (
        <ErrorNotice error={query.error} title="Search failed." />
      ) : !first ? (
        <Loading label="Searching…" />
      ) : (
        <div className="search-layout">
          <Facets label="Filter results" groups={groups} onToggle={toggle} onClear={clear} />
          <div>
            <p className="muted" role="status">
              {formatNumber(first.total)} {first.total === 1 ? "result" : "results"} for “{chosen.q}”
              {corrected ? ` · also matched ${corrected}` : ""}
              {first.mode === "any" ? " · no record holds every word; these hold some" : ""}
            </p>
            {hits.length ? (
              <ul className="search-results">
                {hits.map((hit) => (
                  <Result key={`${hit.type}:${hit.id}`} hit={hit} />
                ))}
              </ul>
            ) : (
              <p className="muted">Nothing matches. Fewer words, or fewer filters, may find it.</p>
            )}
            <MoreButton pages={query} label="More results" />
          </div>
        </div>
      )}
    </>
  );
}
