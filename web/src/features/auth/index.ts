export { meKey, meQueryOptions } from "./api";
export { AccountMenu } from "./components/AccountMenu";
export { RequireSession } from "./components/RequireSession";
export { TenantSwitcher } from "./components/TenantSwitcher";
