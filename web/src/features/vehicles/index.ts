export { vehicleListQueryOptions, vehicleQueryOptions } from "./api";
