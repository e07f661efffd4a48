import type { ReactElement } from "react";

import { AccessProvider } from "@/lib/access";

/** `element` as someone with `role` sees it. */
export function asRole(role: string, element: ReactElement, userId = "00000000-0000-7000-8000-00000000000a") {
  return (
    <AccessProvider role={role} userId={userId}>
      {element}
    </AccessProvider>
  );
}
