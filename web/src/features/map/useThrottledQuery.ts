import {
  QueryObserver,
  useQueryClient,
  type QueryKey,
  type QueryObserverOptions,
  type QueryObserverResult,
} from "@tanstack/react-query";
import { useCallback, useRef, useState, useSyncExternalStore } from "react";

/**
 * useQuery for data that changes many times a second (the live fleet): the component
 * re-renders at most once per `everyMs`, with the newest data then.
 */
export function useThrottledQuery<TData, TKey extends QueryKey>(
  options: QueryObserverOptions<TData, Error, TData, TData, TKey>,
  everyMs: number,
): QueryObserverResult<TData, Error> {
  const client = useQueryClient();
  const [observer] = useState(() => new QueryObserver(client, options));
  const snapshot = useRef(observer.getOptimisticResult(client.defaultQueryOptions(options)));

  const subscribe = useCallback(
    (onChange: () => void) => {
      let last = 0;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const publish = () => {
        timer = null;
        last = Date.now();
        snapshot.current = observer.getCurrentResult();
        onChange();
      };
      const stop = observer.subscribe((result) => {
        // Loading and errors show at once; data at most every `everyMs`.
        if (result.status !== snapshot.current.status) return publish();
        const wait = last + everyMs - Date.now();
        if (wait <= 0) publish();
        else timer ??= setTimeout(publish, wait);
      });
      publish();
      return () => {
        stop();
        if (timer !== null) clearTimeout(timer);
      };
    },
    [observer, everyMs],
  );

  return useSyncExternalStore(
    subscribe,
    () => snapshot.current,
    () => snapshot.current,
  );
}
