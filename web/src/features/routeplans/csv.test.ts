import { describe, expect, it } from "vitest";

import { dropRows, formatClock, parseJobsCsv, readClock, readNumber, rowsWithProblems } from "./csv";

describe("parseJobsCsv", () => {
  it("reads the documented columns, windows as seconds after 00:00 and minutes as seconds", () => {
    const parsed = parseJobsCsv(
      "id,name,address,lat,lon,demand,service_min,window_start,window_end,priority,skills,notes\n" +
        "J1,Bakery,Main St 1,52.52,13.405,4,10,08:00,11:30,2,cooling|lift,Ring twice\n",
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.separator).toBe(",");
    expect(parsed.demandNames).toEqual(["demand"]);
    expect(parsed.jobs).toEqual([
      {
        id: "J1",
        name: "Bakery, Main St 1",
        lat: 52.52,
        lon: 13.405,
        demand: [4],
        service_s: 600,
        window: [8 * 3600, 11.5 * 3600],
        priority: 2,
        skills: ["cooling", "lift"],
        notes: "Ring twice",
        row: 2,
      },
    ]);
  });

  it("knows header variants, in any case and order, and several demand columns", () => {
    const parsed = parseJobsCsv(
      "Latitude,Longitude,Job ID,Customer,Weight KG,Pallets,Service Time,TW Start,TW End\n" +
        "52.5,13.4,A-7,Hoff,120,2,15,7:45,9:00\n",
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.demandNames).toEqual(["Weight KG", "Pallets"]);
    expect(parsed.jobs[0]).toMatchObject({ id: "A-7", name: "Hoff", demand: [120, 2], service_s: 900, window: [27900, 32400] });
  });

  it("reads semicolon files with decimal commas and a byte-order mark", () => {
    const parsed = parseJobsCsv("\uFEFFid;lat;lon;demand\r\nJ1;52,5201;13,4049;3\r\nJ2;52,51;13,39;1\r\n");
    expect(parsed.separator).toBe(";");
    expect(parsed.problems).toEqual([]);
    expect(parsed.jobs.map((j) => [j.id, j.lat, j.lon, j.demand])).toEqual([
      ["J1", 52.5201, 13.4049, [3]],
      ["J2", 52.51, 13.39, [1]],
    ]);
  });

  it("reads tab-separated pastes from a spreadsheet", () => {
    const parsed = parseJobsCsv("id\tlat\tlon\nJ1\t52.5\t13.4\n");
    expect(parsed.separator).toBe("\t");
    expect(parsed.jobs).toHaveLength(1);
  });

  it("reads quoted fields holding separators, quotes and line breaks, keeping row numbers", () => {
    const parsed = parseJobsCsv('id,name,lat,lon,notes\nJ1,"Hoff, Bakery",52.5,13.4,"say ""hi""\nat the back"\nJ2,X,nope,13.4,\n');
    expect(parsed.jobs[0]).toMatchObject({ name: "Hoff, Bakery", notes: 'say "hi"\nat the back' });
    expect(parsed.problems).toEqual([{ row: 4, field: "lat", message: '"nope" is not a number' }]);
  });

  it("names every bad field with its row, and sends none of those rows", () => {
    const parsed = parseJobsCsv(
      [
        "id,lat,lon,demand,service_min,window_start,window_end,priority",
        "J1,95,13.4,1,5,08:00,09:00,0",
        "J2,52.5,13.4,-2,5,08:00,09:00,0",
        "J3,52.5,13.4,1,abc,25:00,09:00,0",
        "J4,52.5,13.4,1,5,10:00,09:00,0",
        "J5,52.5,13.4,1.5,5,,,x",
        "J1,52.5,13.4,1,5,,,",
        "",
        "J6,52.5,,1,5,,,",
        "J7,52.5,13.4,1,5,,12:00,",
      ].join("\n"),
    );
    expect(parsed.problems).toEqual([
      { row: 2, field: "lat", message: "must be between -90 and 90" },
      { row: 3, field: "demand", message: '"-2" is not a whole number of 0 or more' },
      { row: 4, field: "service_min", message: '"abc" is not a number of minutes from 0 to 1440' },
      { row: 4, field: "window_start", message: '"25:00" is not a time as HH:MM' },
      { row: 5, field: "window_end", message: "is before the window's start" },
      { row: 6, field: "demand", message: '"1.5" is not a whole number of 0 or more' },
      { row: 6, field: "priority", message: '"x" is not a whole number from 0 to 100' },
      { row: 7, field: "id", message: 'id "J1" is also on row 2' },
      { row: 9, field: "lon", message: "is missing" },
    ]);
    expect(parsed.jobs.map((j) => j.id)).toEqual(["J7"]);
    expect(parsed.jobs[0]?.window).toEqual([0, 12 * 3600]);
    expect([...rowsWithProblems(parsed.problems)]).toEqual([2, 3, 4, 5, 6, 7, 9]);
  });

  it("refuses a file without coordinates at its header, and an empty one", () => {
    expect(parseJobsCsv("id,name\nJ1,x\n").problems).toEqual([
      { row: 1, field: "lat", message: "No latitude column (lat)." },
      { row: 1, field: "lon", message: "No longitude column (lon)." },
    ]);
    expect(parseJobsCsv("").problems).toEqual([{ row: 1, field: "", message: "The file is empty." }]);
  });

  it("names a row's id after its row when the file has no id column, and lists unread columns", () => {
    const parsed = parseJobsCsv("lat,lon,colour\n52.5,13.4,red\n");
    expect(parsed.jobs[0]?.id).toBe("row-2");
    expect(parsed.ignored).toEqual(["colour"]);
  });

  it("drops the bad rows and keeps the rest as written", () => {
    const text = 'id;lat;lon\nJ1;52,5;13,4\nJ2;x;13,4\nJ3;"52,6";13,4\n';
    const parsed = parseJobsCsv(text);
    const kept = dropRows(text, rowsWithProblems(parsed.problems));
    expect(kept).toBe("id;lat;lon\nJ1;52,5;13,4\nJ3;52,6;13,4");
    expect(parseJobsCsv(kept).problems).toEqual([]);
    expect(parseJobsCsv(kept).jobs.map((j) => j.lat)).toEqual([52.5, 52.6]);
  });
});

describe("numbers and clocks", () => {
  it("reads numbers as people type them", () => {
    expect(readNumber(" 12,5 ")).toBe(12.5);
    expect(readNumber("-0.5")).toBe(-0.5);
    expect(readNumber("1,234,5")).toBeNull();
    expect(readNumber("12a")).toBeNull();
    expect(readNumber("")).toBeNull();
    expect(readNumber("NaN")).toBeNull();
  });

  it("reads and writes clock times", () => {
    expect(readClock("08:00")).toBe(28800);
    expect(readClock("8:05")).toBe(29100);
    expect(readClock("0815")).toBe(29700);
    expect(readClock("24:00")).toBe(86400);
    expect(readClock("12:60")).toBeNull();
    expect(readClock("noon")).toBeNull();
    expect(formatClock(29100)).toBe("08:05");
    expect(formatClock(86400 + 3600)).toBe("+1 01:00");
  });
});
