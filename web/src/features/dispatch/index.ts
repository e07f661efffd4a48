export { dispatchKey, liveQueryOptions, myRoutesQueryOptions } from "./api";
export type { RouteMap, RouteMapProps } from "./components/RouteMapTypes";
