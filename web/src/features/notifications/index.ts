export { NotificationSettingsPage } from "./components/NotificationSettingsPage";
export { unreadCountQueryOptions } from "./api";
