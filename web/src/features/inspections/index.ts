export { defectsQueryOptions, inspectionFormQueryOptions } from "./api";
