import { DriversPage } from "@/features/drivers/components/DriversPage";
import { LeaderboardSummary } from "@/features/scorecard";

/** The drivers list with this week's leaderboard ends above it. */
export function DriversRoute() {
  return <DriversPage Summary={LeaderboardSummary} />;
}
