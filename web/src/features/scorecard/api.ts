import { queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Scorecard = Schemas["Scorecard"];
export type ScorePeriod = Schemas["ScorePeriod"];
export type Deduction = Schemas["DeductionOut"];
export type EventPoints = Schemas["EventPointsOut"];
export type Leaderboard = Schemas["Leaderboard"];
export type ScorePeriodKind = Schemas["ScorePeriodKind"];
export type LeaderboardPeriod = Schemas["LeaderboardPeriod"];

export function scorecardQueryOptions(driverId: string, period: ScorePeriodKind, from: string, to: string) {
  return queryOptions({
    queryKey: ["scorecard", driverId, period, from, to],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/drivers/{driver_id}/scorecard", {
          params: { path: { driver_id: driverId }, query: { period, from, to } },
          signal,
        }),
      ),
  });
}

export function leaderboardQueryOptions(period: LeaderboardPeriod, date?: string) {
  return queryOptions({
    queryKey: ["scorecard", "leaderboard", period, date ?? "today"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/drivers/leaderboard", { params: { query: { period, date } }, signal })),
  });
}
