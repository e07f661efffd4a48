import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { meKey } from "@/features/auth";
import { OfflineProvider } from "@/lib/offline";
import { createQueryClient } from "@/lib/query";

import { LiveConnection } from "./live";
import { QUEUED_MUTATIONS, sessionScope } from "./offline";

export function AppProvider({ children }: { children: ReactNode }) {
  const [client] = useState(() => {
    // A 401 anywhere means the session is gone: forget who we were, and the guard sends
    // the person to the login page.
    const queryClient = createQueryClient(() => queryClient.setQueryData(meKey, null));
    return queryClient;
  });
  return (
    <QueryClientProvider client={client}>
      <OfflineProvider
        scopeOf={sessionScope}
        definitions={QUEUED_MUTATIONS}
        onUnauthenticated={() => client.setQueryData(meKey, null)}
      >
        <LiveConnection>{children}</LiveConnection>
      </OfflineProvider>
    </QueryClientProvider>
  );
}
