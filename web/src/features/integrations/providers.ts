// Each provider's form: its fields (labels, help, defaults) and the checks the server's own
// models make (src/fleetyard/integrations/providers/*.py `settings_model`, `credentials_model`),
// so most mistakes are caught before a round trip; the server stays the judge (its 422s are
// shown at the same fields). Free of React, so it is tested on its own.
import type { Document, Integration, ProviderName } from "./api";

export type Part = "settings" | "credentials";
export type FieldKind = "text" | "url" | "secret" | "number" | "checkbox" | "select" | "list";
/** The form's values, keyed `settings.<field>` / `credentials.<field>` (and `name`). */
export type FormValues = Record<string, string | boolean>;
export type FormErrors = Record<string, string>;

export interface FieldSpec {
  /** The model's field name. */
  key: string;
  part: Part;
  label: string;
  hint?: string;
  kind: FieldKind;
  required?: boolean;
  /** Shown under "Advanced" (the defaults fit most accounts). */
  advanced?: boolean;
  /** The form's starting value (the server's default). */
  initial?: string | boolean;
  placeholder?: string;
  options?: readonly { value: string; label: string }[];
  /** Sent as a number (a select whose values are numbers). */
  numeric?: boolean;
  /** Kept exactly as typed (passwords may start or end with a space). */
  untrimmed?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  patternMessage?: string;
  min?: number;
  max?: number;
  integer?: boolean;
  maxItems?: number;
  itemPattern?: RegExp;
  itemMaxLength?: number;
  itemMessage?: string;
  /** A check of its own: a message, or null when the value is fine. */
  check?: (value: string) => string | null;
  autoComplete?: string;
}

export interface ProviderSpec {
  name: ProviderName;
  label: string;
  /** One line on what it brings in and what it needs. */
  blurb: string;
  fields: readonly FieldSpec[];
  /** A check across the credentials (MQTT: a password needs a username). */
  credentialsCheck?: (values: FormValues) => FormErrors;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SAMSARA_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

function isLoopback(host: string): boolean {
  const bare = host.toLowerCase();
  return LOOPBACK.has(bare) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** An http(s) address, or a message; `httpsOnly`: plain http only to this machine. */
export function checkUrl(text: string, httpsOnly: boolean): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "Enter a full address, e.g. https://api.example.com.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "The address starts with https://.";
  if (!url.hostname) return "Enter a full address, e.g. https://api.example.com.";
  if (httpsOnly && url.protocol === "http:" && !isLoopback(url.hostname)) {
    return "Use https: the token travels with every request.";
  }
  return null;
}

/** MyGeotab's server as the adapter takes it: a host name, optionally https:// and /apiv1. */
export function checkGeotabServer(text: string): string | null {
  const message = "The server is a host name such as my.geotab.com.";
  let url: URL;
  try {
    url = new URL(text.includes("://") ? text : `https://${text}`);
  } catch {
    return message;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return message;
  if (url.username || url.password || url.search || url.hash) return message;
  if (!["", "/", "/apiv1", "/apiv1/"].includes(url.pathname)) return message;
  const loopback = isLoopback(url.hostname);
  if (!loopback && !HOST_NAME.test(url.hostname)) return message;
  if (url.protocol === "http:" && !loopback) return "Geotab is reached over https.";
  return null;
}

/** An MQTT topic filter: `+` and `#` each fill a whole level, `#` only the last. */
export function checkTopicFilter(text: string): string | null {
  const levels = text.split("/");
  const bad =
    text.includes("\u0000") ||
    text.includes("#/") ||
    levels.some((level) => level.length > 1 && (level.includes("+") || level.includes("#")));
  return bad ? "Not a valid MQTT topic filter: + and # each stand for a whole level, # only last (e.g. fleet/+/pos, owntracks/#)." : null;
}

const SAMSARA: ProviderSpec = {
  name: "samsara",
  label: "Samsara",
  blurb: "Vehicles and their GPS, engine and fault data from a Samsara account, with an API token.",
  fields: [
    {
      key: "api_token",
      part: "credentials",
      label: "API token",
      kind: "secret",
      required: true,
      maxLength: 1024,
      hint: "In Samsara: Settings → API Tokens. Give it the Read Vehicles and Read Vehicle Statistics scopes.",
      autoComplete: "off",
    },
    {
      key: "base_url",
      part: "settings",
      label: "API address",
      kind: "url",
      advanced: true,
      initial: "https://api.samsara.com",
      hint: "https://api.eu.samsara.com for accounts in Samsara's EU cloud.",
      check: (value) => checkUrl(value, true),
    },
    {
      key: "tag_ids",
      part: "settings",
      label: "Only these tag ids",
      kind: "list",
      advanced: true,
      maxItems: 100,
      itemPattern: SAMSARA_ID,
      itemMessage: "Tag ids are Samsara's ids: letters, digits, -, _, . and :.",
      hint: "Comma-separated; empty reads every vehicle of the account.",
    },
    {
      key: "parent_tag_ids",
      part: "settings",
      label: "Only these parent tag ids",
      kind: "list",
      advanced: true,
      maxItems: 100,
      itemPattern: SAMSARA_ID,
      itemMessage: "Tag ids are Samsara's ids: letters, digits, -, _, . and :.",
      hint: "Comma-separated; vehicles under these tags and their children.",
    },
  ],
};

const GEOTAB: ProviderSpec = {
  name: "geotab",
  label: "Geotab",
  blurb: "Positions, engine data and faults from a MyGeotab database, with a MyGeotab user.",
  fields: [
    {
      key: "server",
      part: "settings",
      label: "Server",
      kind: "text",
      initial: "my.geotab.com",
      maxLength: 300,
      hint: "my.geotab.com finds your database's own server.",
      check: checkGeotabServer,
    },
    {
      key: "database",
      part: "settings",
      label: "Database",
      kind: "text",
      required: true,
      maxLength: 100,
      hint: "The database name MyGeotab shows, e.g. demo_fleet.",
      check: (value) => (/^[^\p{Cc}]+$/u.test(value) ? null : "The database is the name MyGeotab shows, e.g. demo_fleet."),
    },
    {
      key: "username",
      part: "credentials",
      label: "Username",
      kind: "text",
      required: true,
      maxLength: 200,
      hint: "A MyGeotab user that can read the vehicles (a service account is best).",
      autoComplete: "off",
    },
    {
      key: "password",
      part: "credentials",
      label: "Password",
      kind: "secret",
      required: true,
      maxLength: 1024,
      untrimmed: true,
    },
    {
      key: "backfill_hours",
      part: "settings",
      label: "Start with the last … hours",
      kind: "number",
      advanced: true,
      initial: "1",
      min: 0,
      max: 168,
      hint: "How far back a new connection reads (0–168).",
    },
  ],
};

const VERIZON: ProviderSpec = {
  name: "verizon_connect",
  label: "Verizon Connect",
  blurb: "Vehicles and their GPS history from Verizon Connect Reveal, through its Integration Manager API.",
  fields: [
    {
      key: "username",
      part: "credentials",
      label: "Integration username",
      kind: "text",
      required: true,
      maxLength: 256,
      hint: "The REST integration user Verizon sends (Reveal → Marketplace → API Integrations), not a Reveal login.",
      autoComplete: "off",
    },
    {
      key: "password",
      part: "credentials",
      label: "Integration password",
      kind: "secret",
      required: true,
      maxLength: 256,
      untrimmed: true,
    },
    {
      key: "app_id",
      part: "credentials",
      label: "App id",
      kind: "text",
      required: true,
      maxLength: 256,
      pattern: /^[A-Za-z0-9._-]+$/,
      patternMessage: "The app id is letters, digits, ., _ and - only (e.g. fleetmatics-p-us-…).",
      hint: "The app registered on the Integration Manager portal; the id alone, not the whole header.",
      autoComplete: "off",
    },
    {
      key: "base_url",
      part: "settings",
      label: "API address",
      kind: "url",
      initial: "https://fim.api.us.fleetmatics.com",
      hint: "US and Canada; Europe is https://fim.api.eu.fleetmatics.com.",
      check: (value) => checkUrl(value, false),
    },
    {
      key: "vehicle_groups",
      part: "settings",
      label: "Only these vehicle groups",
      kind: "list",
      advanced: true,
      maxItems: 100,
      itemMaxLength: 100,
      hint: "Reveal group ids, comma-separated; empty reads the whole account.",
    },
    {
      key: "speed_unit",
      part: "settings",
      label: "Speeds are in",
      kind: "select",
      advanced: true,
      hint: "Automatic: mph on the US host, km/h on the European one.",
      initial: "auto",
      options: [
        { value: "auto", label: "Automatic" },
        { value: "mph", label: "mph" },
        { value: "kmh", label: "km/h" },
      ],
    },
    {
      key: "initial_lookback_minutes",
      part: "settings",
      label: "Start with the last … minutes",
      kind: "number",
      advanced: true,
      initial: "60",
      min: 1,
      max: 29 * 24 * 60,
      integer: true,
      hint: "How far back the first poll of a vehicle reads.",
    },
  ],
};

const MQTT: ProviderSpec = {
  name: "mqtt",
  label: "MQTT broker",
  blurb: "Positions published to your MQTT broker: OwnTracks phones, trackers or gateways sending JSON, scripts.",
  fields: [
    {
      key: "host",
      part: "settings",
      label: "Broker host",
      kind: "text",
      required: true,
      maxLength: 253,
      pattern: /^[A-Za-z0-9.:[\]_-]+$/,
      patternMessage: "A host name or IP address (letters, digits, ., -, _, : and [ ]).",
      placeholder: "mqtt.example.com",
    },
    {
      key: "port",
      part: "settings",
      label: "Port",
      kind: "number",
      required: true,
      initial: "1883",
      min: 1,
      max: 65535,
      integer: true,
      hint: "1883 plain, 8883 with TLS.",
    },
    {
      key: "tls",
      part: "settings",
      label: "Use TLS (with the system's certificate authorities)",
      kind: "checkbox",
      initial: false,
    },
    {
      key: "topic_filter",
      part: "settings",
      label: "Topic filter",
      kind: "text",
      required: true,
      maxLength: 1024,
      placeholder: "owntracks/#",
      hint: "What to subscribe to; + and # wildcards, e.g. fleet/+/pos or owntracks/#.",
      check: checkTopicFilter,
    },
    {
      key: "payload_format",
      part: "settings",
      label: "Payload format",
      kind: "select",
      initial: "auto",
      hint: "Automatic tells OwnTracks from Fleetyard JSON (what Traccar Client sends) message by message.",
      options: [
        { value: "auto", label: "Automatic" },
        { value: "fleetyard_json", label: "Fleetyard JSON" },
        { value: "owntracks", label: "OwnTracks" },
      ],
    },
    {
      key: "username",
      part: "credentials",
      label: "Username",
      kind: "text",
      maxLength: 256,
      hint: "Leave both empty for a broker that takes anonymous clients.",
      autoComplete: "off",
    },
    {
      key: "password",
      part: "credentials",
      label: "Password",
      kind: "secret",
      maxLength: 1024,
      untrimmed: true,
    },
    {
      key: "client_id",
      part: "settings",
      label: "Client id",
      kind: "text",
      advanced: true,
      pattern: /^[A-Za-z0-9_.:-]{1,64}$/,
      patternMessage: "Up to 64 letters, digits, _, ., : and -.",
      hint: "The broker keeps our session under it; empty derives one from these settings.",
    },
    {
      key: "qos",
      part: "settings",
      label: "Quality of service",
      kind: "select",
      advanced: true,
      numeric: true,
      initial: "1",
      options: [
        { value: "1", label: "1: nothing is lost" },
        { value: "0", label: "0: the broker may drop messages" },
      ],
    },
  ],
  credentialsCheck: (values): FormErrors => {
    const password = String(values["credentials.password"] ?? "");
    const username = String(values["credentials.username"] ?? "").trim();
    return password && !username
      ? { "credentials.username": "A password needs a username (MQTT sends none without one)." }
      : {};
  },
};

export const PROVIDERS: readonly ProviderSpec[] = [SAMSARA, GEOTAB, VERIZON, MQTT];

export function providerSpec(name: ProviderName): ProviderSpec {
  return PROVIDERS.find((spec) => spec.name === name) ?? SAMSARA;
}

export function providerLabel(name: string): string {
  return PROVIDERS.find((spec) => spec.name === name)?.label ?? name;
}

export const fieldName = (field: Pick<FieldSpec, "part" | "key">) => `${field.part}.${field.key}`;

/** A blank form for a new connection of this provider: its defaults filled in. */
export function blankValues(spec: ProviderSpec): FormValues {
  const values: FormValues = { name: "" };
  for (const field of spec.fields) values[fieldName(field)] = field.initial ?? (field.kind === "checkbox" ? false : "");
  return values;
}

function shown(value: unknown): string | boolean {
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(String).join(", ");
  if (value === null || value === undefined) return "";
  return String(value);
}

/** A saved connection's form: its settings as stored, its credentials blank (write-only). */
export function valuesOf(spec: ProviderSpec, integration: Integration): FormValues {
  const values = blankValues(spec);
  values.name = integration.name;
  for (const field of spec.fields) {
    if (field.part === "settings" && field.key in integration.settings) {
      values[fieldName(field)] = shown(integration.settings[field.key]);
    }
  }
  return values;
}

function listItems(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** "Database" → "database", "API token" stays. */
function lowerFirst(label: string): string {
  return /^[A-Z]{2,}\b/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}

function checkField(field: FieldSpec, raw: string | boolean): string | null {
  if (field.kind === "checkbox" || typeof raw === "boolean") return null;
  const value = field.untrimmed ? raw : raw.trim();
  if (!value) return field.required ? `Enter the ${lowerFirst(field.label)}.` : null;
  if (field.kind === "number") {
    const number = Number(value);
    if (!Number.isFinite(number)) return "Enter a number.";
    if (field.integer && !Number.isInteger(number)) return "Enter a whole number.";
    if (field.min !== undefined && number < field.min) return `At least ${field.min}.`;
    if (field.max !== undefined && number > field.max) return `At most ${field.max}.`;
    return null;
  }
  if (field.kind === "list") {
    const items = listItems(value);
    if (field.maxItems !== undefined && items.length > field.maxItems) return `At most ${field.maxItems}.`;
    if (field.itemMaxLength !== undefined && items.some((item) => item.length > field.itemMaxLength!)) {
      return `Each at most ${field.itemMaxLength} characters.`;
    }
    if (field.itemPattern && items.some((item) => !field.itemPattern!.test(item))) {
      return field.itemMessage ?? "Not valid.";
    }
    return null;
  }
  if (field.minLength !== undefined && value.length < field.minLength) return `At least ${field.minLength} characters.`;
  if (field.maxLength !== undefined && value.length > field.maxLength) return `At most ${field.maxLength} characters.`;
  if (field.pattern && !field.pattern.test(value)) return field.patternMessage ?? "Not valid.";
  return field.check ? field.check(value) : null;
}

/**
 * What the server's models would refuse, by form field. `withCredentials` false checks the
 * settings alone (an edit that keeps the stored credentials).
 */
export function validate(spec: ProviderSpec, values: FormValues, withCredentials = true): FormErrors {
  const errors: FormErrors = {};
  const name = String(values.name ?? "").trim();
  if (!name) errors.name = "Give the connection a name.";
  else if (name.length > 200) errors.name = "At most 200 characters.";
  for (const field of spec.fields) {
    if (field.part === "credentials" && !withCredentials) continue;
    const problem = checkField(field, values[fieldName(field)] ?? "");
    if (problem) errors[fieldName(field)] = problem;
  }
  if (withCredentials && spec.credentialsCheck) {
    for (const [key, message] of Object.entries(spec.credentialsCheck(values))) errors[key] ??= message;
  }
  return errors;
}

function documentValue(field: FieldSpec, raw: string | boolean): unknown {
  if (field.kind === "checkbox" || typeof raw === "boolean") return Boolean(raw);
  const value = field.untrimmed ? raw : raw.trim();
  if (field.kind === "list") return listItems(value);
  if (!value) return undefined; // left out: the server's default (or none) applies
  if (field.kind === "number" || field.numeric) return Number(value);
  return value;
}

/**
 * The settings and credentials documents the API takes. `stored` (an edit) keeps the settings
 * this form doesn't show (page sizes …) as they are.
 */
export function documents(
  spec: ProviderSpec,
  values: FormValues,
  stored: Document = {},
): { name: string; settings: Document; credentials: Document } {
  const settings: Document = { ...stored };
  const credentials: Document = {};
  for (const field of spec.fields) {
    const value = documentValue(field, values[fieldName(field)] ?? "");
    const target = field.part === "settings" ? settings : credentials;
    if (value === undefined) delete target[field.key];
    else target[field.key] = value;
  }
  return { name: String(values.name ?? "").trim(), settings, credentials };
}

/** Pydantic's "Value error, the database is …" → "The database is …". */
function readable(message: string): string {
  const text = message.replace(/^Value error, /, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The server's refusals by form field: a 422's `details.errors[].loc` (`["body", "settings",
 * "base_url"]` → `settings.base_url`; a list item's index dropped; a check across the whole
 * document → `settings` / `credentials`), or a 409's `details.field` (`name`).
 */
export function serverFieldErrors(error: unknown): FormErrors {
  if (typeof error !== "object" || error === null || !("details" in error)) return {};
  const details = (error as { details: Record<string, unknown>; message?: string }).details;
  const found: FormErrors = {};
  if (Array.isArray(details.errors)) {
    for (const item of details.errors as { loc?: unknown; msg?: unknown }[]) {
      const loc = Array.isArray(item.loc) ? item.loc.map(String) : [];
      if (loc[0] !== "body" || loc.length < 2) continue;
      const key = loc.slice(1).filter((part) => !/^\d+$/.test(part)).slice(0, 2).join(".");
      if (key && !found[key]) found[key] = readable(String(item.msg ?? "Not valid."));
    }
  }
  if (typeof details.field === "string" && !found[details.field]) {
    found[details.field] = String((error as { message?: string }).message ?? "Not valid.");
  }
  return found;
}
