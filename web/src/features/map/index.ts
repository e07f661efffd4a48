// The live map: composed by src/app (the /map route lazy-loads components/MapPage).
export { fleetStateQueryOptions, openAlertsQueryOptions } from "./api";
