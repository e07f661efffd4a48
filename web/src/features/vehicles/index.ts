export { vehicleListQueryOptions, vehicleMutations, vehicleQueryOptions } from "./api";
