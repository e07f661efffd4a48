import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { meKey } from "@/features/auth";
import { createQueryClient } from "@/lib/query";

import { LiveConnection } from "./live";

export function AppProvider({ children }: { children: ReactNode }) {
  const [client] = useState(() => {
    // A 401 anywhere means the session is gone: forget who we were, and the guard sends
    // the person to the login page.
    const queryClient = createQueryClient(() => queryClient.setQueryData(meKey, null));
    return queryClient;
  });
  return (
    <QueryClientProvider client={client}>
      <LiveConnection>{children}</LiveConnection>
    </QueryClientProvider>
  );
}
