/**
 * Notifications through the generated client: your in-app list and unread count, what you
 * receive by which channel (`/api/v1/notification-settings`), the alert kinds rules know,
 * and this browser's Web Push subscription (`/api/v1/notification-channels/push/...`).
 */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";
import { liveKeys } from "@/lib/live";

export type NotificationSettings = Schemas["NotificationSettings"];
export type ChannelPreference = Schemas["ChannelPreference"];
export type Channel = ChannelPreference["channel"];
export type Severity = NonNullable<ChannelPreference["min_severity"]>;
export type AlertKindInfo = Schemas["AlertKindInfo"];
export type AppNotification = Schemas["NotificationRead"];
export type BrowserSubscription = Schemas["PushSubscribe"];

export const CHANNELS: readonly Channel[] = ["in_app", "email", "push"];
export const CHANNEL_LABELS: Record<Channel, string> = {
  in_app: "In the app",
  email: "E-mail",
  push: "Push on this device",
};
export const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];

const settingsKey = ["notifications", "settings"] as const;
// kept current by the live feed too (a `notifications.released` message), hence lib's keys
const listKey = liveKeys.notificationList();
const unreadKey = liveKeys.unreadNotifications();

export function notificationSettingsQueryOptions() {
  return queryOptions({
    queryKey: settingsKey,
    queryFn: async ({ signal }) => unwrap(api.GET("/api/v1/notification-settings", { signal })),
  });
}

export function alertKindsQueryOptions() {
  return queryOptions({
    queryKey: ["alert-rules", "kinds"],
    queryFn: async ({ signal }) => unwrap(api.GET("/api/v1/alert-rules/kinds", { signal })),
    staleTime: Infinity, // they change only with a release
  });
}

export function notificationsQueryOptions() {
  return queryOptions({
    queryKey: listKey,
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/v1/notifications", { params: { query: { limit: 20 } }, signal })))
        .items,
    refetchInterval: 60_000, // a fallback: the live feed says when new ones come
  });
}

export function unreadCountQueryOptions() {
  return queryOptions({
    queryKey: unreadKey,
    queryFn: async ({ signal }) =>
      unwrap(api.GET("/api/v1/notifications/unread-count", { signal })),
    refetchInterval: 60_000, // a fallback: the live feed says when new ones come
  });
}

export function useSaveNotificationSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (channels: ChannelPreference[]) =>
      unwrap(api.PUT("/api/v1/notification-settings", { body: { channels } })),
    onSuccess: (saved) => client.setQueryData(settingsKey, saved),
  });
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(
        api.POST("/api/v1/notifications/{notification_id}/read", {
          params: { path: { notification_id: id } },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: listKey });
      void client.invalidateQueries({ queryKey: unreadKey });
    },
  });
}

export async function fetchVapidPublicKey(): Promise<string> {
  const answer = await unwrap(api.GET("/api/v1/notification-channels/push/vapid-public-key"));
  return answer.public_key;
}

export async function saveSubscription(subscription: BrowserSubscription): Promise<void> {
  await unwrap(
    api.POST("/api/v1/notification-channels/push/subscriptions", { body: subscription }),
  );
}

export async function forgetSubscription(endpoint: string): Promise<void> {
  await unwrap(api.POST("/api/v1/notification-channels/push/unsubscribe", { body: { endpoint } }));
}

export function useRefreshSettings() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: settingsKey });
}

export type NotificationChannels = Schemas["NotificationChannels"];
export type EmailChannelUpdate = Schemas["EmailChannelUpdate"];
export type EmailTestResult = Schemas["EmailTestResult"];

const channelsKey = ["notifications", "channels"] as const;

export function notificationChannelsQueryOptions() {
  return queryOptions({
    queryKey: channelsKey,
    queryFn: async ({ signal }) => unwrap(api.GET("/api/v1/notification-channels", { signal })),
  });
}

export function useSaveEmailChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: EmailChannelUpdate) =>
      unwrap(api.PUT("/api/v1/notification-channels/email", { body })),
    onSuccess: (saved) => {
      client.setQueryData(channelsKey, saved);
      void client.invalidateQueries({ queryKey: settingsKey });
    },
  });
}

export function useSendTestEmail() {
  return useMutation({
    mutationFn: async (): Promise<EmailTestResult> =>
      unwrap(api.POST("/api/v1/notification-channels/email/test", { body: {} })),
  });
}
