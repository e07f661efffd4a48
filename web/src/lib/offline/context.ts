import { createContext, useContext } from "react";

import type { MutationQueue } from "./queue";

export const QueueContext = createContext<MutationQueue | null>(null);

export function useMutationQueue(): MutationQueue {
  const queue = useContext(QueueContext);
  if (!queue) throw new Error("useMutationQueue needs an <OfflineProvider> above it.");
  return queue;
}
