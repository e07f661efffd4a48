export { tenantQueryOptions } from "./api";
export { TenantMark, useTenantBranding } from "./components/TenantBranding";
