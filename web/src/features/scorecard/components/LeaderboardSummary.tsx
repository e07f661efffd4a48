import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { formatNumber } from "@/lib/format";
import { useOnline } from "@/lib/offline";

import { leaderboardQueryOptions, type Leaderboard } from "../api";
import "../scorecard.css";
import { leaderboardEnds, scoreBand } from "../scorecard";

type Entry = Leaderboard["entries"][number];

function Ranked({ title, entries, id }: { title: string; entries: readonly Entry[]; id: string }) {
  return (
    <div className="leaderboard-end">
      <h3 id={id}>{title}</h3>
      <ol aria-labelledby={id}>
        {entries.map((entry) => (
          <li key={entry.driver_id} value={entry.rank}>
            <Link to={`/drivers/${entry.driver_id}/scorecard`}>{entry.name}</Link>{" "}
            <span className={`score-chip score-${scoreBand(entry.score)}`}>{Math.round(entry.score)}</span>
            <span className="muted small"> · {formatNumber(entry.distance_km, "km")}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/**
 * This week's best and worst drivers by score, compactly, with the way to the full
 * leaderboard. Quiet when the scores cannot load (the drivers list is the page's point).
 */
export function LeaderboardSummary({ size = 3 }: { size?: number }) {
  const online = useOnline();
  const board = useQuery(leaderboardQueryOptions("week"));
  let body;
  if (board.isPending) body = <p className="muted">{online ? "Loading this week's scores…" : "Scores show when you are online."}</p>;
  else if (board.isError) body = <p className="muted">This week's scores could not load.</p>;
  else {
    const { top, bottom } = leaderboardEnds(board.data.entries, size);
    body = top.length ? (
      <div className="leaderboard-ends">
        <Ranked id="leaderboard-top" title="Safest" entries={top} />
        {bottom.length ? <Ranked id="leaderboard-bottom" title="Most points off" entries={bottom} /> : null}
      </div>
    ) : (
      <p className="muted">No driver has driven this week yet.</p>
    );
  }
  return (
    <section className="card leaderboard-summary" aria-labelledby="leaderboard-summary-title">
      <div className="leaderboard-summary-head">
        <h2 id="leaderboard-summary-title">This week's driving scores</h2>
        <Link to="/drivers/scores">Full leaderboard</Link>
      </div>
      {body}
    </section>
  );
}
