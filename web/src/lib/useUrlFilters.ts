import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

type Names<F> = Extract<keyof F, string>;

/**
 * A list's filters kept in the URL, so a filtered list can be bookmarked and shared.
 * `params` names each filter's query parameter; `read` turns the raw values into the typed
 * filters (dropping values it doesn't know). Pass module-level constants for both.
 */
export function useUrlFilters<F extends object>(
  params: Record<Names<F>, string>,
  read: (get: (name: Names<F>) => string | undefined) => F,
) {
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(
    () => read((name) => search.get(params[name]) ?? undefined),
    [search, params, read],
  );
  const setFilter = useCallback(
    (name: Names<F>, value: string | undefined) => {
      setSearch(
        (current) => {
          const next = new URLSearchParams(current);
          if (value) next.set(params[name], value);
          else next.delete(params[name]);
          return next;
        },
        { replace: true },
      );
    },
    [setSearch, params],
  );
  return { filters, setFilter };
}

/** `value` when it is one of `allowed`, else undefined. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((item) => item === value);
}
