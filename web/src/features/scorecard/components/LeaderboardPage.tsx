import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Link, useSearchParams } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { formatDay } from "@/lib/dates";
import { formatNumber } from "@/lib/format";
import { useOnline } from "@/lib/offline";

import { leaderboardQueryOptions, type LeaderboardPeriod } from "../api";
import "../scorecard.css";
import { drivingTime, scoreBand } from "../scorecard";
import { NeedsConnection } from "./ScorecardPage";

/** The tenant's drivers ranked by score over today or this week (the tenant's time zone). */
export function Leaderboard({ period }: { period: LeaderboardPeriod }) {
  const online = useOnline();
  const board = useQuery(leaderboardQueryOptions(period));
  if (board.isPending) return online ? <Loading label="Loading the scores…" /> : <NeedsConnection />;
  if (board.isError) return online ? <ErrorNotice error={board.error} title="The scores could not load." /> : <NeedsConnection />;
  const { entries } = board.data;
  if (!entries.length) return <p className="muted">No driver has driven in this {period} yet.</p>;
  return (
    <div className="table-scroll" role="region" aria-label="Drivers by score" tabIndex={0}>
      <table className="data-table">
        <caption className="visually-hidden">
          Drivers by score, {period === "day" ? formatDay(board.data.date) : `week of ${formatDay(board.data.date)}`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Driver</th>
            <th scope="col">Score</th>
            <th scope="col">Distance</th>
            <th scope="col">Driving</th>
            <th scope="col">Events</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.driver_id}>
              <td>{entry.rank}</td>
              <td>
                <Link to={`/drivers/${entry.driver_id}/scorecard`}>{entry.name}</Link>
              </td>
              <td>
                <span className={`score-chip score-${scoreBand(entry.score)}`}>{Math.round(entry.score)}</span>
              </td>
              <td>{formatNumber(entry.distance_km, "km")}</td>
              <td>{drivingTime(entry.driving_s)}</td>
              <td>{entry.events}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function LeaderboardPage() {
  const [params, setParams] = useSearchParams();
  const periodId = useId();
  const period: LeaderboardPeriod = params.get("period") === "day" ? "day" : "week";
  return (
    <>
      <Link to="/drivers">← All drivers</Link>
      <h1>Driver scores</h1>
      <p className="lead">Who drives most safely: 100 less the points of harsh driving, speeding, idling and night driving.</p>
      <form className="trip-window" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor={periodId}>Ranked over</label>
        <select
          id={periodId}
          value={period}
          onChange={(event) => setParams({ period: event.target.value }, { replace: true })}
        >
          <option value="week">This week</option>
          <option value="day">Today</option>
        </select>
      </form>
      <Leaderboard period={period} />
    </>
  );
}
