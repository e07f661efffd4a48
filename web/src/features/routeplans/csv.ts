/**
 * Jobs from a spreadsheet: CSV (comma, semicolon or tab separated, quoted fields, a byte-order
 * mark, decimal commas) read into job drafts, with every problem named by its row and field so
 * nothing is sent until each is fixed or its row dropped. Pure: no DOM, no network.
 */

/** A job as the planning screen holds it before it becomes part of a request. */
export interface JobDraft {
  id: string;
  name: string;
  lat: number;
  lon: number;
  /** One amount per demand column (the vehicles' capacities have as many). */
  demand: number[];
  service_s: number;
  /** Seconds from the plan's day start (00:00), or null for "any time". */
  window: [number, number] | null;
  priority: number;
  skills: string[];
  notes: string;
  /** The file's line the job came from (the header is row 1); absent for jobs typed in. */
  row?: number;
}

export interface RowProblem {
  /** The file's row (the header is row 1). */
  row: number;
  /** The column as the file names it, or "" for the row as a whole. */
  field: string;
  message: string;
}

export interface ParsedJobs {
  jobs: JobDraft[];
  problems: RowProblem[];
  /** The demand columns' names, in order (["demand"] when the file has one). */
  demandNames: string[];
  /** Columns the screen does not read (named so a typo is noticed). */
  ignored: string[];
  separator: "," | ";" | "\t";
}

type Key = "id" | "name" | "address" | "lat" | "lon" | "service" | "start" | "end" | "priority" | "skills" | "notes";

/** Header spellings, compared lower-case with spaces, dashes and dots as underscores. */
const ALIASES: Record<string, Key> = {
  id: "id", job: "id", job_id: "id", jobid: "id", ref: "id", reference: "id", order: "id", order_id: "id",
  name: "name", customer: "name", label: "name", title: "name",
  address: "address", addr: "address", street: "address",
  lat: "lat", latitude: "lat", y: "lat",
  lon: "lon", lng: "lon", long: "lon", longitude: "lon", x: "lon",
  service: "service", service_min: "service", service_mins: "service", service_minutes: "service",
  service_time: "service", service_time_min: "service", minutes: "service", stop_minutes: "service",
  window_start: "start", tw_start: "start", start: "start", from: "start", earliest: "start",
  time_window_start: "start", open: "start", opens: "start",
  window_end: "end", tw_end: "end", end: "end", to: "end", until: "end", latest: "end",
  time_window_end: "end", close: "end", closes: "end",
  priority: "priority", prio: "priority",
  skills: "skills", skill: "skills", requires: "skills",
  notes: "notes", note: "notes", comment: "notes", comments: "notes", remarks: "notes",
};
const DEMAND = /^(demand|qty|quantity|load|weight|volume|pallets|parcels)(_?[a-z0-9_]*)?$/;

export const MAX_JOBS = 5000;
const DAY_S = 24 * 3600;

function normalize(header: string): string {
  return header.trim().toLowerCase().replace(/[\s.\-()/]+/g, "_").replace(/^_+|_+$/g, "");
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The separator the header line uses most (outside quotes): `;`, tab or `,`. */
export function detectSeparator(text: string): "," | ";" | "\t" {
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts] += 1;
  }
  if (counts[";"] >= counts[","] && counts[";"] >= counts["\t"] && counts[";"] > 0) return ";";
  if (counts["\t"] > counts[","]) return "\t";
  return ",";
}

/** RFC 4180 records: quoted fields may hold separators, doubled quotes and line breaks. */
export function splitRecords(text: string, separator: string): { fields: string[]; row: number }[] {
  const records: { fields: string[]; row: number }[] = [];
  let field = "";
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let startLine = 1;
  const end = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0]?.trim()) records.push({ fields, row: startLine });
    fields = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === "") {
      field = "";
      quoted = true;
    } else if (ch === separator) {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      end();
      line++;
      startLine = line;
    } else field += ch;
  }
  if (field !== "" || fields.length) end();
  return records;
}

/** A number as people type it: `12.5`, `12,5` (decimal comma), spaces around. */
export function readNumber(raw: string): number | null {
  const text = raw.trim().replace(/\s/g, "");
  if (!text) return null;
  const decimal = /^[-+]?\d+,\d+$/.test(text) ? text.replace(",", ".") : text;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(decimal)) return null;
  const value = Number(decimal);
  return Number.isFinite(value) ? value : null;
}

/** `HH:MM` (or `H:MM`, `HH:MM:SS`, `HHMM`) as seconds after 00:00; `24:00` is the day's end. */
export function readClock(raw: string): number | null {
  const text = raw.trim();
  const match = /^(\d{1,2})[:.h]?(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!match) return null;
  const [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (m > 59 || s > 59) return null;
  const seconds = h * 3600 + m * 60 + s;
  return seconds <= DAY_S ? seconds : null;
}

/** Seconds after the day's start as `HH:MM` (past midnight as `+1 HH:MM`). */
export function formatClock(seconds: number): string {
  const whole = Math.round(seconds / 60) * 60;
  const days = Math.floor(whole / DAY_S);
  const rest = whole - days * DAY_S;
  const hh = String(Math.floor(rest / 3600)).padStart(2, "0");
  const mm = String(Math.floor((rest % 3600) / 60)).padStart(2, "0");
  return days > 0 ? `+${days} ${hh}:${mm}` : `${hh}:${mm}`;
}

interface Columns {
  at: Partial<Record<Key, number>>;
  names: string[];
  demand: number[];
  ignored: string[];
}

function mapColumns(header: string[]): Columns {
  const at: Partial<Record<Key, number>> = {};
  const demand: number[] = [];
  const ignored: string[] = [];
  header.forEach((raw, index) => {
    const name = normalize(raw);
    const key = ALIASES[name];
    if (key && at[key] === undefined) at[key] = index;
    else if (DEMAND.test(name)) demand.push(index);
    else if (name) ignored.push(raw.trim());
  });
  return { at, names: header.map((h) => h.trim()), demand, ignored };
}

function readRow(fields: string[], row: number, cols: Columns, problems: RowProblem[]): JobDraft | null {
  const cell = (key: Key) => (cols.at[key] === undefined ? "" : (fields[cols.at[key]] ?? "").trim());
  const label = (key: Key) => (cols.at[key] === undefined ? key : (cols.names[cols.at[key]] ?? key));
  const before = problems.length;
  const fail = (field: string, message: string) => problems.push({ row, field, message });

  const id = cell("id") || `row-${row}`;
  const lat = readNumber(cell("lat"));
  const lon = readNumber(cell("lon"));
  if (lat === null) fail(label("lat"), cell("lat") ? `"${cell("lat")}" is not a number` : "is missing");
  else if (lat < -90 || lat > 90) fail(label("lat"), "must be between -90 and 90");
  if (lon === null) fail(label("lon"), cell("lon") ? `"${cell("lon")}" is not a number` : "is missing");
  else if (lon < -180 || lon > 180) fail(label("lon"), "must be between -180 and 180");

  const demand = cols.demand.map((index) => {
    const raw = (fields[index] ?? "").trim();
    const value = raw ? readNumber(raw) : 0;
    if (value === null || value < 0 || !Number.isInteger(value))
      fail(cols.names[index] ?? "", `"${raw}" is not a whole number of 0 or more`);
    return value ?? 0;
  });

  const serviceRaw = cell("service");
  const service = serviceRaw ? readNumber(serviceRaw) : 0;
  if (service === null || service < 0 || service > 24 * 60)
    fail(label("service"), `"${serviceRaw}" is not a number of minutes from 0 to 1440`);

  const startRaw = cell("start");
  const endRaw = cell("end");
  const start = startRaw ? readClock(startRaw) : 0;
  const end = endRaw ? readClock(endRaw) : DAY_S;
  if (start === null) fail(label("start"), `"${startRaw}" is not a time as HH:MM`);
  if (end === null) fail(label("end"), `"${endRaw}" is not a time as HH:MM`);
  if (start !== null && end !== null && start > end) fail(label("end"), "is before the window's start");

  const priorityRaw = cell("priority");
  const priority = priorityRaw ? readNumber(priorityRaw) : 0;
  if (priority === null || !Number.isInteger(priority) || priority < 0 || priority > 100)
    fail(label("priority"), `"${priorityRaw}" is not a whole number from 0 to 100`);

  if (problems.length > before) return null;
  const name = [cell("name"), cell("address")].filter(Boolean).join(", ");
  return {
    id,
    name,
    lat: lat!,
    lon: lon!,
    demand,
    service_s: Math.round(service! * 60),
    window: startRaw || endRaw ? [start!, end!] : null,
    priority: priority!,
    skills: cell("skills").split(/[|,\s]+/).filter(Boolean),
    notes: cell("notes"),
    row,
  };
}

/** Read a CSV of jobs: each good row a draft, each bad one its problems (row and field). */
export function parseJobsCsv(input: string): ParsedJobs {
  const text = stripBom(input);
  const separator = detectSeparator(text);
  const records = splitRecords(text, separator);
  const problems: RowProblem[] = [];
  const [header, ...rows] = records;
  if (!header) {
    return { jobs: [], problems: [{ row: 1, field: "", message: "The file is empty." }], demandNames: [], ignored: [], separator };
  }
  const cols = mapColumns(header.fields);
  for (const key of ["lat", "lon"] as const)
    if (cols.at[key] === undefined)
      problems.push({ row: 1, field: key, message: `No ${key === "lat" ? "latitude" : "longitude"} column (${key}).` });
  if (rows.length > MAX_JOBS)
    problems.push({ row: 1, field: "", message: `${rows.length} jobs: a plan takes ${MAX_JOBS} at most.` });
  const demandNames = cols.demand.map((i) => cols.names[i] ?? "");
  if (problems.length) return { jobs: [], problems, demandNames, ignored: cols.ignored, separator };

  const jobs: JobDraft[] = [];
  const seen = new Map<string, number>();
  const idField = cols.at.id === undefined ? "id" : (cols.names[cols.at.id] ?? "id");
  for (const { fields, row } of rows) {
    const id = cols.at.id === undefined ? "" : (fields[cols.at.id] ?? "").trim();
    const first = id ? seen.get(id) : undefined;
    if (id && first === undefined) seen.set(id, row);
    const job = readRow(fields, row, cols, problems);
    if (first !== undefined) problems.push({ row, field: idField, message: `id "${id}" is also on row ${first}` });
    else if (job) jobs.push(job);
  }
  return { jobs, problems, demandNames, ignored: cols.ignored, separator };
}

/** The rows that have a problem (to drop them all at once). */
export function rowsWithProblems(problems: readonly RowProblem[]): Set<number> {
  return new Set(problems.filter((p) => p.row > 1).map((p) => p.row));
}

/** The CSV without the given rows (the header and the other rows as they were). */
export function dropRows(input: string, rows: ReadonlySet<number>): string {
  const text = stripBom(input);
  const separator = detectSeparator(text);
  const quote = (field: string) =>
    /["\n\r]/.test(field) || field.includes(separator) ? `"${field.replace(/"/g, '""')}"` : field;
  return splitRecords(text, separator)
    .filter((record) => !rows.has(record.row))
    .map((record) => record.fields.map(quote).join(separator))
    .join("\n");
}

/** The example the help shows and the "download a template" link gives. */
export const CSV_TEMPLATE = [
  "id,name,address,lat,lon,demand,service_min,window_start,window_end,priority,skills,notes",
  "J1,Bakery Hoff,Hauptstr. 12,52.5200,13.4050,4,10,08:00,11:00,0,,Ring twice",
  "J2,Café Lind,Lindenweg 3,52.5155,13.3910,2,5,09:30,12:00,1,cooling,",
].join("\n");
