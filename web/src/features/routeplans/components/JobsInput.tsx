import { useId, useMemo, useRef, useState, type ChangeEvent, type KeyboardEvent } from "react";

import { CSV_TEMPLATE, dropRows, formatClock, parseJobsCsv, readClock, readNumber, rowsWithProblems, type JobDraft } from "../csv";

const EXAMPLE_HREF = `data:text/csv;charset=utf-8,${encodeURIComponent(CSV_TEMPLATE)}`;

/** What the file's columns may be called: shown beside the upload and in the docs. */
export function CsvHelp() {
  return (
    <details className="rp-help">
      <summary>Which columns?</summary>
      <p>
        One job a row, the first row naming the columns (any order, any case). Separated by commas, semicolons or
        tabs; decimal commas are fine in semicolon files.
      </p>
      <dl>
        <dt>id</dt>
        <dd>The job's reference, unique in the file (job, job_id, ref, order). Without it the row number is used.</dd>
        <dt>name, address</dt>
        <dd>Who and where, for people (customer, label, street).</dd>
        <dt>lat, lon</dt>
        <dd>Required: decimal degrees (latitude, lng, longitude).</dd>
        <dt>demand</dt>
        <dd>
          Whole amounts, one column a dimension (demand, demand_kg, weight, volume, pallets, qty…); the vehicles&apos;
          capacities follow the same order.
        </dd>
        <dt>service_min</dt>
        <dd>Minutes at the stop (service, service_time).</dd>
        <dt>window_start, window_end</dt>
        <dd>HH:MM, the time the stop may be served in (from/to, tw_start/tw_end); either may be left out.</dd>
        <dt>priority, skills, notes</dt>
        <dd>0–100; skills separated by | or spaces (a vehicle must have them all); notes are for people.</dd>
      </dl>
      <a href={EXAMPLE_HREF} download="jobs-example.csv">
        Download an example file
      </a>
    </details>
  );
}

function JobForm({ onAdd, taken }: { onAdd: (job: JobDraft) => void; taken: (id: string) => boolean }) {
  const [error, setError] = useState("");
  // a group inside the plan's form, not a form of its own (forms do not nest): Enter or the
  // button adds the job, and never submits the plan
  const box = useRef<HTMLDivElement>(null);
  const add = () => {
    const group = box.current;
    if (!group) return;
    const text = (name: string) => (group.querySelector<HTMLInputElement>(`[name="${name}"]`)?.value ?? "").trim();
    const lat = readNumber(text("lat"));
    const lon = readNumber(text("lon"));
    const demand = text("demand") ? readNumber(text("demand")) : 0;
    const service = text("service") ? readNumber(text("service")) : 0;
    const start = text("start") ? readClock(text("start")) : 0;
    const end = text("end") ? readClock(text("end")) : 86400;
    const id = text("id");
    const problem =
      (!id && "Give the job an id.") ||
      (taken(id) && `There is already a job "${id}".`) ||
      ((lat === null || lat < -90 || lat > 90) && "Latitude: a number from -90 to 90.") ||
      ((lon === null || lon < -180 || lon > 180) && "Longitude: a number from -180 to 180.") ||
      ((demand === null || demand < 0 || !Number.isInteger(demand)) && "Demand: a whole number of 0 or more.") ||
      ((service === null || service < 0) && "Service: minutes, 0 or more.") ||
      ((start === null || end === null || start > end) && "Window: HH:MM, the start before the end.") ||
      "";
    setError(problem);
    if (problem) return;
    onAdd({
      id,
      name: text("name"),
      lat: lat!,
      lon: lon!,
      demand: [demand!],
      service_s: Math.round(service! * 60),
      window: text("start") || text("end") ? [start!, end!] : null,
      priority: 0,
      skills: [],
      notes: "",
    });
    for (const input of group.querySelectorAll("input")) input.value = "";
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    add();
  };
  return (
    <div className="rp-job-form" role="group" aria-label="Add a job" ref={box}>
      <label>
        Id <input onKeyDown={onKeyDown} name="id" required />
      </label>
      <label>
        Name or address <input onKeyDown={onKeyDown} name="name" />
      </label>
      <label>
        Latitude <input onKeyDown={onKeyDown} name="lat" inputMode="decimal" required />
      </label>
      <label>
        Longitude <input onKeyDown={onKeyDown} name="lon" inputMode="decimal" required />
      </label>
      <label>
        Demand <input onKeyDown={onKeyDown} name="demand" inputMode="numeric" />
      </label>
      <label>
        Service (min) <input onKeyDown={onKeyDown} name="service" inputMode="decimal" />
      </label>
      <label>
        Window from <input onKeyDown={onKeyDown} name="start" type="time" />
      </label>
      <label>
        Window to <input onKeyDown={onKeyDown} name="end" type="time" />
      </label>
      <button type="button" className="button" onClick={add}>
        Add job
      </button>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The plan's jobs: a CSV file (or rows pasted from a spreadsheet), read at once with every bad
 * field named by row; only a file without problems counts. Jobs can also be added one by one.
 */
export function JobsInput({
  onChange,
}: {
  onChange: (jobs: JobDraft[], demandNames: string[], problems: number) => void;
}) {
  const [text, setText] = useState("");
  const [manual, setManual] = useState<JobDraft[]>([]);
  const textId = useId();
  const parsed = useMemo(() => (text.trim() ? parseJobsCsv(text) : null), [text]);
  const fromFile = parsed && !parsed.problems.length ? parsed.jobs : [];
  const clash = manual.filter((m) => fromFile.some((j) => j.id === m.id)).map((m) => m.id);

  const publish = (nextText: string, nextManual: JobDraft[]) => {
    const next = nextText.trim() ? parseJobsCsv(nextText) : null;
    const ok = next && !next.problems.length ? next.jobs : [];
    const ids = new Set(ok.map((j) => j.id));
    const clashes = nextManual.filter((j) => ids.has(j.id)).length;
    onChange([...ok, ...nextManual], next?.demandNames.length ? next.demandNames : ["demand"], (next?.problems.length ?? 0) + clashes);
  };
  const edit = (value: string) => {
    setText(value);
    publish(value, manual);
  };
  const addManual = (job: JobDraft) => {
    const next = [...manual, job];
    setManual(next);
    publish(text, next);
  };
  const removeManual = (id: string) => {
    const next = manual.filter((j) => j.id !== id);
    setManual(next);
    publish(text, next);
  };
  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) edit(await file.text());
  };
  const bad = parsed ? rowsWithProblems(parsed.problems) : new Set<number>();

  return (
    <div className="rp-jobs">
      <div className="rp-upload">
        <label>
          CSV file of jobs
          <input type="file" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => void upload(e)} />
        </label>
        <CsvHelp />
      </div>
      <label htmlFor={textId}>Or paste the rows (the file&apos;s text shows here to fix by hand)</label>
      <textarea
        id={textId}
        className="rp-csv"
        rows={6}
        spellCheck={false}
        value={text}
        onChange={(e) => edit(e.target.value)}
        placeholder={CSV_TEMPLATE}
      />
      {parsed?.problems.length ? (
        <div className="notice notice-error rp-problems" role="alert">
          <strong>
            {parsed.problems.length} problem{parsed.problems.length === 1 ? "" : "s"} in the file; nothing is sent until
            they are fixed above or their rows dropped.
          </strong>
          <ul>
            {parsed.problems.slice(0, 50).map((p, i) => (
              <li key={i}>
                Row {p.row}
                {p.field ? `, ${p.field}` : ""}: {p.message}
              </li>
            ))}
          </ul>
          {parsed.problems.length > 50 ? <p>…and {parsed.problems.length - 50} more.</p> : null}
          {bad.size ? (
            <button type="button" className="button" onClick={() => edit(dropRows(text, bad))}>
              Drop the {bad.size} row{bad.size === 1 ? "" : "s"} with problems
            </button>
          ) : null}
        </div>
      ) : null}
      {parsed && !parsed.problems.length ? (
        <p className="rp-read" role="status">
          {parsed.jobs.length} job{parsed.jobs.length === 1 ? "" : "s"} read
          {parsed.demandNames.length ? `, demand in ${parsed.demandNames.join(", ")}` : ", no demand column"}
          {parsed.ignored.length ? `; not read: ${parsed.ignored.join(", ")}` : ""}.
        </p>
      ) : null}
      {clash.length ? (
        <p className="field-error" role="alert">
          Jobs added by hand share an id with the file: {clash.join(", ")}.
        </p>
      ) : null}
      <details className="rp-manual">
        <summary>Add a job by hand</summary>
        <JobForm onAdd={addManual} taken={(id) => manual.some((j) => j.id === id) || fromFile.some((j) => j.id === id)} />
      </details>
      {fromFile.length + manual.length ? <JobsTable file={fromFile} manual={manual} onRemove={removeManual} /> : null}
    </div>
  );
}

const windowText = (w: [number, number] | null) => (w ? `${formatClock(w[0])}–${formatClock(w[1])}` : "any time");

function JobsTable({ file, manual, onRemove }: { file: JobDraft[]; manual: JobDraft[]; onRemove: (id: string) => void }) {
  const rows = [...file, ...manual];
  const shown = rows.slice(0, 200);
  return (
    <div className="table-scroll rp-jobs-table" role="region" aria-label="Jobs to plan" tabIndex={0}>
      <table className="data-table">
        <caption className="muted">
          {rows.length} job{rows.length === 1 ? "" : "s"}
          {rows.length > shown.length ? ` (the first ${shown.length} shown)` : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Name</th>
            <th scope="col">Place</th>
            <th scope="col">Demand</th>
            <th scope="col">Service</th>
            <th scope="col">Window</th>
            <th scope="col">
              <span className="rp-sr">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((job) => (
            <tr key={job.id}>
              <th scope="row">{job.id}</th>
              <td>{job.name || "—"}</td>
              <td>
                {job.lat.toFixed(5)}, {job.lon.toFixed(5)}
              </td>
              <td>{job.demand.join(" / ") || "—"}</td>
              <td>{Math.round(job.service_s / 60)} min</td>
              <td>{windowText(job.window)}</td>
              <td>
                {job.row === undefined ? (
                  <button type="button" className="button-link" onClick={() => onRemove(job.id)}>
                    Remove {job.id}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
