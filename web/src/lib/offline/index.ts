// The offline layer: saved query cache per session, the IndexedDB change queue, the
// service worker. See web/README.md ("Offline") for how features use it.
export { ChangeProblem } from "./ChangeProblem";
export { ChangeState } from "./ChangeState";
export { useMutationQueue } from "./context";
export { describeValue, queuedNotice, stateText, WHEN_NETWORK_ALLOWS } from "./describe";
export { useChangesFor, useQueuedChanges, useQueuedMutation, useSyncSummary } from "./hooks";
export { newKey } from "./ids";
export { OfflineProvider } from "./OfflineProvider";
export { useOnline } from "./online";
export { registerServiceWorker } from "./serviceWorker";
export { SyncStatus } from "./SyncStatus";
export type { ChangeEntity, ChangeStatus, QueuedChange, QueuedMutationDefinition, QueuedRequest } from "./types";
export { LoadingOrOffline } from "./Unavailable";
export { UpdateBanner } from "./UpdateBanner";
