import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ErrorNotice } from "@/components/Status";

import { dayStart, downloadUrl, REPORT_KINDS, reportQueryOptions, type Report, type ReportKind } from "../api";
import "./reports.css";

function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Bars of the report's chart series, scaled to the largest value. */
export function ReportChart({ report }: { report: Report }) {
  const top = Math.max(0, ...report.chart.map((point) => point.value));
  return (
    <figure className="report-chart">
      <figcaption>{report.chart_title}</figcaption>
      <svg role="img" aria-label={report.chart_title} viewBox={`0 0 ${Math.max(1, report.chart.length) * 40} 100`}>
        {report.chart.map((point, i) => {
          const height = top > 0 ? (point.value / top) * 90 : 0;
          return (
            <rect key={point.category} x={i * 40 + 5} y={100 - height} width={30} height={height}>
              <title>{`${point.category}: ${point.value}`}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
}

function ReportTable({ report }: { report: Report }) {
  if (report.rows.length === 0) return <p>No rows in this period.</p>;
  return (
    <table className="report-table">
      <thead>
        <tr>
          {report.columns.map((column) => (
            <th key={column.key} scope="col">
              {column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {report.rows.map((row, i) => (
          <tr key={i}>
            {report.columns.map((column) => (
              <td key={column.key}>{row[column.key] == null ? "" : String(row[column.key])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReportsPage() {
  const today = new Date();
  const [kind, setKind] = useState<ReportKind>("daily-summary");
  const [fromDay, setFromDay] = useState(isoDay(new Date(today.getTime() - 7 * 86_400_000)));
  const [toDay, setToDay] = useState(isoDay(today));
  const request = { kind, from: dayStart(fromDay), to: dayStart(toDay) };
  const report = useQuery(reportQueryOptions(request));
  return (
    <section className="reports-page">
      <h1>Reports</h1>
      <form className="report-form" onSubmit={(event) => event.preventDefault()}>
        <label>
          Report
          <select value={kind} onChange={(event) => setKind(event.target.value as ReportKind)}>
            {REPORT_KINDS.map((option) => (
              <option key={option.kind} value={option.kind}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={fromDay} onChange={(event) => setFromDay(event.target.value)} />
        </label>
        <label>
          To (not included)
          <input type="date" value={toDay} onChange={(event) => setToDay(event.target.value)} />
        </label>
      </form>
      <nav className="report-downloads" aria-label="Downloads">
        {(["csv", "xlsx", "pdf"] as const).map((format) => (
          <a key={format} href={downloadUrl(request, format)} download>
            Download {format.toUpperCase()}
          </a>
        ))}
      </nav>
      {report.isError ? <ErrorNotice error={report.error} title="The report could not be made." /> : null}
      {report.data ? (
        <>
          <p className="report-period">Times in {report.data.time_zone}</p>
          <ReportChart report={report.data} />
          <ReportTable report={report.data} />
        </>
      ) : null}
    </section>
  );
}
