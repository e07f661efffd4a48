// The offline layer: saved query cache per session, the IndexedDB change queue, the
// service worker (its Background Sync replay: sync.ts, run by src/sw.ts). See
// docs/offline.md for how features use it.
export { ChangeProblem } from "./ChangeProblem";
export { ChangeState } from "./ChangeState";
export { useMutationQueue } from "./context";
export { describeValue, queuedNotice, stateText, WHEN_NETWORK_ALLOWS } from "./describe";
export { backgroundSyncSupported } from "./background";
export type { ChangeInput } from "./generic";
export { useChangesFor, useQueueChange, useQueuedChanges, useQueuedMutation, useSyncSummary } from "./hooks";
export { newKey } from "./ids";
export { OfflineProvider } from "./OfflineProvider";
export { useOnline } from "./online";
export { registerServiceWorker } from "./serviceWorker";
export { SyncStatus } from "./SyncStatus";
export type { ChangeEntity, ChangeStatus, QueuedChange, QueuedMutationDefinition, QueuedRequest } from "./types";
export { LoadingOrOffline } from "./Unavailable";
export { UpdateBanner } from "./UpdateBanner";
