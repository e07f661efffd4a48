export { OpenAlertsBadge } from "./components/OpenAlertsBadge";
