export { Backoff, TokenBucket } from "./backoff";
export { feedQueryCache, frameScheduler, QueryCacheFeed, type Scheduler } from "./cache";
export { ENTITY_ROOTS, liveKeys, type FleetState, type VehicleReading, type VehicleWithState } from "./keys";
export { applyPositions, fleetIndex, isNewer, readingAfter } from "./positions";
export type { Alert, LivePosition, ServerMessage } from "./protocol";
export { LiveProvider, useLiveSocket, useLiveState, useLiveSubscription } from "./react";
export { LiveSocket, liveUrl, type LiveState, type SocketLike } from "./socket";
export type { LiveSpec } from "./subscriptions";
export { Timings } from "./timing";
