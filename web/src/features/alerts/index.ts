export { OpenAlertsBadge } from "./components/OpenAlertsBadge";
export { alertMutations } from "./api";
