import { QueryCache, QueryClient } from "@tanstack/react-query";

import { isApiError } from "./api";

/** Query keys that belong to no tenant: kept when the tenant changes. */
export const SESSION_SCOPE = "session";

/**
 * One cache for the app. A 401 from any query means the session ended: `onUnauthenticated`
 * (the auth feature's) then sends the person back to the login page.
 */
export function createQueryClient(onUnauthenticated: () => void = () => {}): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (isApiError(error) && error.isUnauthenticated) onUnauthenticated();
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failures, error) =>
          failures < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: false,
      },
    },
  });
}

/**
 * Forget every tenant's data (after a switch, login or logout), keeping the session's own:
 * cached answers go, and what is on screen is fetched again for the new tenant.
 */
export function clearTenantData(client: QueryClient): Promise<void> {
  return client.resetQueries({ predicate: (query) => query.queryKey[0] !== SESSION_SCOPE });
}
