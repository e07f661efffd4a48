import { describe, expect, it } from "vitest";

import { ApiError } from "@/lib/api";

import type { Integration } from "./api";
import {
  PROVIDERS,
  blankValues,
  checkGeotabServer,
  checkTopicFilter,
  checkUrl,
  documents,
  providerSpec,
  serverFieldErrors,
  validate,
  valuesOf,
  type FormValues,
} from "./providers";

const samsara = providerSpec("samsara");
const geotab = providerSpec("geotab");
const verizon = providerSpec("verizon_connect");
const mqtt = providerSpec("mqtt");

function filled(name: Parameters<typeof providerSpec>[0], values: FormValues): FormValues {
  return { ...blankValues(providerSpec(name)), name: "Fleet", ...values };
}

describe("every provider's form", () => {
  it("has the fields of the server's models, the required ones marked", () => {
    const fields = Object.fromEntries(
      PROVIDERS.map((spec) => [spec.name, spec.fields.map((f) => `${f.part}.${f.key}${f.required ? "*" : ""}`).sort()]),
    );
    expect(fields).toEqual({
      samsara: ["credentials.api_token*", "settings.base_url", "settings.parent_tag_ids", "settings.tag_ids"],
      geotab: [
        "credentials.password*",
        "credentials.username*",
        "settings.backfill_hours",
        "settings.database*",
        "settings.server",
      ],
      verizon_connect: [
        "credentials.app_id*",
        "credentials.password*",
        "credentials.username*",
        "settings.base_url",
        "settings.initial_lookback_minutes",
        "settings.speed_unit",
        "settings.vehicle_groups",
      ],
      mqtt: [
        "credentials.password",
        "credentials.username",
        "settings.client_id",
        "settings.host*",
        "settings.payload_format",
        "settings.port*",
        "settings.qos",
        "settings.tls",
        "settings.topic_filter*",
      ],
    });
  });

  it("starts blank with the server's defaults, and asks for a name and what is required", () => {
    expect(blankValues(samsara)["settings.base_url"]).toBe("https://api.samsara.com");
    expect(blankValues(mqtt)["settings.port"]).toBe("1883");
    expect(validate(samsara, blankValues(samsara))).toEqual({
      name: "Give the connection a name.",
      "credentials.api_token": "Enter the API token.",
    });
    expect(validate(geotab, blankValues(geotab))).toEqual({
      name: "Give the connection a name.",
      "settings.database": "Enter the database.",
      "credentials.username": "Enter the username.",
      "credentials.password": "Enter the password.",
    });
  });
});

describe("Samsara", () => {
  it("takes a token, sends https or this machine's http only", () => {
    expect(validate(samsara, filled("samsara", { "credentials.api_token": "tok" }))).toEqual({});
    const plain = filled("samsara", { "credentials.api_token": "tok", "settings.base_url": "http://api.samsara.com" });
    expect(validate(samsara, plain)["settings.base_url"]).toMatch(/https/);
    const local = filled("samsara", { "credentials.api_token": "tok", "settings.base_url": "http://127.0.0.1:8123" });
    expect(validate(samsara, local)).toEqual({});
  });

  it("checks tag ids one by one and sends them as a list", () => {
    const bad = filled("samsara", { "credentials.api_token": "t", "settings.tag_ids": "3914, no/slash" });
    expect(validate(samsara, bad)["settings.tag_ids"]).toMatch(/Samsara's ids/);
    const good = filled("samsara", { "credentials.api_token": " tok\n", "settings.tag_ids": "3914, 4815" });
    expect(documents(samsara, good)).toEqual({
      name: "Fleet",
      settings: { base_url: "https://api.samsara.com", tag_ids: ["3914", "4815"], parent_tag_ids: [] },
      credentials: { api_token: "tok" },
    });
  });
});

describe("Geotab", () => {
  it("takes a host name, https or a path of /apiv1, never a URL with more", () => {
    expect(checkGeotabServer("my.geotab.com")).toBeNull();
    expect(checkGeotabServer("https://my3.geotab.com/apiv1")).toBeNull();
    expect(checkGeotabServer("http://127.0.0.1:9000")).toBeNull();
    expect(checkGeotabServer("http://my.geotab.com")).toBe("Geotab is reached over https.");
    expect(checkGeotabServer("my.geotab.com/other")).toMatch(/host name/);
    expect(checkGeotabServer("user@my.geotab.com")).toMatch(/host name/);
    expect(checkGeotabServer("bad host")).toMatch(/host name/);
  });

  it("keeps the password exactly as typed, and an empty server takes the default", () => {
    const values = filled("geotab", {
      "settings.server": "",
      "settings.database": " demo_fleet ",
      "credentials.username": "api@example.com",
      "credentials.password": " secret ",
    });
    expect(validate(geotab, values)).toEqual({});
    expect(documents(geotab, values)).toEqual({
      name: "Fleet",
      settings: { database: "demo_fleet", backfill_hours: 1 },
      credentials: { username: "api@example.com", password: " secret " },
    });
    expect(validate(geotab, { ...values, "settings.backfill_hours": "200" })["settings.backfill_hours"]).toBe("At most 168.");
  });
});

describe("Verizon Connect", () => {
  it("needs the integration user and an app id of its characters", () => {
    const values = filled("verizon_connect", {
      "credentials.username": "rest-user",
      "credentials.password": "pw",
      "credentials.app_id": "fleetmatics-p-us-abc",
    });
    expect(validate(verizon, values)).toEqual({});
    expect(validate(verizon, { ...values, "credentials.app_id": "Atmosphere atmosphere_app_id=x" })["credentials.app_id"]).toMatch(
      /letters, digits/,
    );
    expect(validate(verizon, { ...values, "settings.initial_lookback_minutes": "1.5" })).toEqual({
      "settings.initial_lookback_minutes": "Enter a whole number.",
    });
    expect(documents(verizon, values).settings).toMatchObject({ speed_unit: "auto", initial_lookback_minutes: 60, vehicle_groups: [] });
  });
});

describe("MQTT", () => {
  it("checks the topic filter as MQTT does", () => {
    for (const ok of ["owntracks/#", "fleet/+/pos", "#", "+", "a/b/c"]) expect(checkTopicFilter(ok)).toBeNull();
    for (const bad of ["fleet/#/pos", "fleet/pos#", "fleet/x+/pos", "a\u0000b"]) expect(checkTopicFilter(bad)).not.toBeNull();
  });

  it("takes no credentials, or a username, but never a password alone", () => {
    const values = filled("mqtt", { "settings.host": "broker.local", "settings.topic_filter": "owntracks/#" });
    expect(validate(mqtt, values)).toEqual({});
    expect(documents(mqtt, values)).toEqual({
      name: "Fleet",
      settings: { host: "broker.local", port: 1883, tls: false, topic_filter: "owntracks/#", payload_format: "auto", qos: 1 },
      credentials: {},
    });
    expect(validate(mqtt, { ...values, "credentials.password": "pw" })).toEqual({
      "credentials.username": "A password needs a username (MQTT sends none without one).",
    });
    expect(validate(mqtt, { ...values, "settings.port": "70000", "settings.host": "bad host" })).toEqual({
      "settings.port": "At most 65535.",
      "settings.host": "A host name or IP address (letters, digits, ., -, _, : and [ ]).",
    });
  });
});

describe("a saved connection's form", () => {
  const saved: Integration = {
    id: "i1",
    version: 3,
    provider: "samsara",
    name: "North",
    settings: { base_url: "https://api.eu.samsara.com/", tag_ids: ["1", "2"], parent_tag_ids: [], page_size: 100 },
    credentials_set: ["api_token"],
    paused: false,
    status: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };

  it("shows the stored settings, never credentials, and keeps the settings it doesn't show", () => {
    const values = valuesOf(samsara, saved);
    expect(values).toMatchObject({ name: "North", "settings.tag_ids": "1, 2", "credentials.api_token": "" });
    expect(validate(samsara, values, false)).toEqual({});
    expect(documents(samsara, { ...values, "settings.tag_ids": "" }, saved.settings).settings).toEqual({
      base_url: "https://api.eu.samsara.com/",
      tag_ids: [],
      parent_tag_ids: [],
      page_size: 100,
    });
  });
});

describe("addresses", () => {
  it("are full http(s) URLs", () => {
    expect(checkUrl("https://fim.api.eu.fleetmatics.com", false)).toBeNull();
    expect(checkUrl("fim.api.eu.fleetmatics.com", false)).toMatch(/full address/);
    expect(checkUrl("ftp://x.example", false)).toMatch(/https/);
  });
});

describe("the server's refusals", () => {
  it("land at their fields: settings and credentials by name, a list item at its list", () => {
    const error = new ApiError(422, {
      code: "validation_failed",
      message: "The settings are not valid for this provider.",
      details: {
        errors: [
          { loc: ["body", "settings", "base_url"], msg: "Value error, Samsara's API is reached over https", type: "value_error" },
          { loc: ["body", "settings", "tag_ids", "2"], msg: "bad", type: "value_error" },
          { loc: ["body", "credentials"], msg: "Value error, a password needs a username", type: "value_error" },
          { loc: ["body", "name"], msg: "String should have at most 200 characters", type: "string_too_long" },
        ],
      },
    });
    expect(serverFieldErrors(error)).toEqual({
      "settings.base_url": "Samsara's API is reached over https",
      "settings.tag_ids": "Bad",
      credentials: "A password needs a username",
      name: "String should have at most 200 characters",
    });
    const taken = new ApiError(409, { code: "already_exists", message: "That name is taken.", details: { field: "name" } });
    expect(serverFieldErrors(taken)).toEqual({ name: "That name is taken." });
    expect(serverFieldErrors(new Error("boom"))).toEqual({});
  });
});
