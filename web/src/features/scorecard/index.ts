export { LeaderboardSummary } from "./components/LeaderboardSummary";
