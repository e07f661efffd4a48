import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useNavigate } from "react-router";

import { errorMessage } from "@/lib/api";
import { useOnline } from "@/lib/offline";
import { MAX_QUERY_LENGTH } from "@/lib/search";
import { useDebounced } from "@/lib/useDebounced";

import {
  DEBOUNCE_MS,
  boxGroups,
  queryText,
  recordHref,
  resultsHref,
  suggestQueryOptions,
  topResultsQueryOptions,
  type BoxOption,
} from "../api";
import { Highlighted, fieldName, titleAndMatches } from "./Highlighted";
import "./search.css";

/** Whether a key press belongs to a field being typed in (where `/` is just a slash). */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** `/` anywhere but in a field focuses the box. */
function useSlashToFocus(input: React.RefObject<HTMLInputElement | null>) {
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [input]);
}

function OptionBody({ option }: { option: BoxOption }) {
  if (option.kind === "query") {
    return (
      <span className="search-option-title">
        <span aria-hidden="true">⌕ </span>
        {option.text}
      </span>
    );
  }
  const { inTitle, others } = titleAndMatches(option.title, option.hit?.matches, 1);
  return (
    <>
      <span className="search-option-title">
        {inTitle ? <Highlighted value={inTitle.value} highlights={inTitle.highlights} /> : option.title}
      </span>
      {option.subtitle ? <span className="search-option-subtitle">{option.subtitle}</span> : null}
      {others.map((match) => (
        <span key={match.field} className="search-option-match">
          {fieldName(match.field)}: <Highlighted value={match.value} highlights={match.highlights} />
        </span>
      ))}
    </>
  );
}

/**
 * The search box in the header, on every screen: `/` focuses it; as you type (debounced, an
 * earlier request aborted when the text changes) it shows completions and the best records,
 * grouped by type, what matched marked. Arrow keys move, Enter opens the chosen record (or
 * the results page), Escape closes. The ARIA combobox pattern with a grouped listbox.
 */
export function GlobalSearch() {
  const navigate = useNavigate();
  const online = useOnline();
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const hintId = useId();
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  useSlashToFocus(input);

  const q = queryText(useDebounced(text, DEBOUNCE_MS));
  const enabled = online && open;
  const suggestions = useQuery({ ...suggestQueryOptions(q), enabled: enabled && q.length > 0 });
  const results = useQuery({ ...topResultsQueryOptions(q), enabled: enabled && q.length > 0 });
  const groups = useMemo(() => (q ? boxGroups(q, suggestions.data, results.data) : []), [q, suggestions.data, results.data]);
  const options = groups.flatMap((group) => group.options);
  const optionId = (index: number) => `${listId}-${index}`;
  const showing = open && text.trim().length > 0;

  const close = () => {
    setOpen(false);
    setActive(-1);
  };
  const go = (option: BoxOption | undefined) => {
    const typed = queryText(text);
    const to = option
      ? option.kind === "query"
        ? resultsHref(option.text)
        : recordHref(option.type, option.id)
      : typed
        ? resultsHref(typed)
        : null;
    if (!to) return;
    close();
    setText(""); // the next `/` starts afresh; the results page shows the text in its own box
    input.current?.blur();
    void navigate(to);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setOpen(true);
      if (options.length === 0) return;
      const last = options.length - 1;
      const step = event.key === "ArrowDown" ? 1 : -1;
      // -1 is the text itself: down from the last option, or up from the first, comes back to it
      setActive((current) => {
        const next = Math.min(current, last) + step;
        return next > last ? -1 : next < -1 ? last : next;
      });
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();
      go(options[active]);
    } else if (event.key === "Escape") {
      // The first closes the results (not the browser's clearing of a search field), the next clears.
      if (showing) {
        event.preventDefault();
        close();
      } else setText("");
    }
  };
  // After the options change, a chosen index past the end chooses nothing.
  const chosen = active >= 0 && active < options.length ? active : -1;

  let status: string | null = null;
  if (showing && !online) status = "Search needs a connection.";
  else if (showing && (suggestions.isError || results.isError)) {
    status = `Search failed: ${errorMessage(suggestions.error ?? results.error)}`;
  } else if (showing && q && !suggestions.isPending && !results.isPending && options.length === 0) {
    status = "Nothing found.";
  } else if (showing && (text.trim() !== q || suggestions.isFetching || results.isFetching) && options.length === 0) {
    status = "Searching…";
  }

  let index = -1;
  return (
    // Named without the word "search": each list's own box is labelled "Search".
    <div className="global-search" role="search" aria-label="Quick find">
      <label htmlFor={`${listId}-input`} className="visually-hidden">
        Find in the fleet
      </label>
      <input
        ref={input}
        id={`${listId}-input`}
        type="search"
        role="combobox"
        aria-expanded={showing && options.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showing && chosen >= 0 ? optionId(chosen) : undefined}
        aria-describedby={hintId}
        placeholder="Search  /"
        autoComplete="off"
        spellCheck={false}
        maxLength={MAX_QUERY_LENGTH}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={close}
        onKeyDown={onKeyDown}
      />
      <span id={hintId} className="visually-hidden">
        Press slash to come here. Arrow keys choose a result, Enter opens it or all results.
      </span>
      <div className="search-popup" hidden={!showing}>
        {status ? (
          <p className="search-status" role="status">
            {status}
          </p>
        ) : null}
        <div id={listId} role="listbox" aria-label="Quick find results" className="search-list" hidden={options.length === 0}>
          {showing
            ? groups.map((group) => (
                <div key={group.label} role="group" aria-label={group.label} className="search-group">
                  <div className="search-group-label" aria-hidden="true">
                    {group.label}
                  </div>
                  {group.options.map((option) => {
                    index += 1;
                    const at = index;
                    return (
                      <div
                        key={option.key}
                        id={optionId(at)}
                        role="option"
                        tabIndex={-1}
                        aria-selected={at === chosen}
                        className="search-option"
                        onMouseDown={(event) => event.preventDefault()} // keep the input's focus
                        onMouseEnter={() => setActive(at)}
                        onClick={() => go(option)}
                        onKeyDown={(event) => event.key === "Enter" && go(option)}
                      >
                        <OptionBody option={option} />
                      </div>
                    );
                  })}
                </div>
              ))
            : null}
        </div>
        {showing && online && q ? (
          <button
            type="button"
            className="button-link search-all"
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => go(undefined)}
            tabIndex={-1}
          >
            All results for “{q}”
          </button>
        ) : null}
      </div>
    </div>
  );
}
