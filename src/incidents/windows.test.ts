import { describe, expect, it } from "vitest";
import type { ComponentStatus } from "./component-status.ts";
import { isImpaired, outageWindows, parseWindowId, windowAt, windowClosedText, windowId, windowJson, withMargin, type OutageWindow, type StatusChange, type WindowQuery } from "./windows.ts";

const t = (hhmmss: string): Date => new Date(`2024-05-01T${hhmmss}Z`);

const change = (
  componentId: string,
  at: string,
  from: ComponentStatus,
  to: ComponentStatus,
  over: Partial<StatusChange> = {},
): StatusChange => ({ componentId, at: t(at), from, to, since: null, lastUpAt: null, incidentIds: [], ...over });

describe("isImpaired", () => {
  it.each<[ComponentStatus, boolean]>([
    ["operational", false],
    ["degraded_performance", true],
    ["partial_outage", true],
    ["major_outage", true],
    ["under_maintenance", false],
  ])("%s → %s", (status, impaired) => {
    expect(isImpaired(status)).toBe(impaired);
  });
});

describe("outageWindows, building windows", () => {
  it.each<[string, StatusChange[], OutageWindow[]]>([
    ["no changes", [], []],
    [
      "a single outage",
      [
        change("checkout", "10:00:00", "operational", "major_outage", {
          since: t("09:59:30"),
          lastUpAt: t("09:59:00"),
          incidentIds: ["inc-1"],
        }),
        change("checkout", "10:20:00", "major_outage", "operational", { incidentIds: ["inc-1"] }),
      ],
      [
        {
          componentId: "checkout",
          incidentIds: ["inc-1"],
          intervals: [{ status: "major_outage", from: t("10:00:00"), to: t("10:20:00") }],
          start: t("09:59:30"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: t("09:59:00"),
          end: t("10:20:00"),
          worst: "major_outage",
        },
      ],
    ],
    [
      "degraded → major → partial → operational gives three intervals",
      [
        change("api", "10:00:00", "operational", "degraded_performance", { since: t("09:58:00"), incidentIds: ["inc-1"] }),
        change("api", "10:05:00", "degraded_performance", "major_outage", { incidentIds: ["inc-1", "inc-2"] }),
        change("api", "10:10:00", "major_outage", "partial_outage", { incidentIds: ["inc-2"] }),
        change("api", "10:15:00", "partial_outage", "operational", { incidentIds: ["inc-2"] }),
      ],
      [
        {
          componentId: "api",
          incidentIds: ["inc-1", "inc-2"],
          intervals: [
            { status: "degraded_performance", from: t("10:00:00"), to: t("10:05:00") },
            { status: "major_outage", from: t("10:05:00"), to: t("10:10:00") },
            { status: "partial_outage", from: t("10:10:00"), to: t("10:15:00") },
          ],
          start: t("09:58:00"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: null,
          end: t("10:15:00"),
          worst: "major_outage",
        },
      ],
    ],
    [
      "a change to the same level starts no interval, but its incidents count",
      [
        change("api", "10:00:00", "operational", "partial_outage", { incidentIds: ["inc-b"] }),
        change("api", "10:05:00", "partial_outage", "partial_outage", { incidentIds: ["inc-a"] }),
        change("api", "10:10:00", "partial_outage", "operational", { incidentIds: ["inc-b"] }),
      ],
      [
        {
          componentId: "api",
          incidentIds: ["inc-a", "inc-b"],
          intervals: [{ status: "partial_outage", from: t("10:00:00"), to: t("10:10:00") }],
          start: t("10:00:00"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: null,
          end: t("10:10:00"),
          worst: "partial_outage",
        },
      ],
    ],
    [
      "two windows for one component",
      [
        change("db", "10:00:00", "operational", "major_outage", { incidentIds: ["inc-1"] }),
        change("db", "10:10:00", "major_outage", "operational", { incidentIds: ["inc-1"] }),
        change("db", "11:00:00", "operational", "degraded_performance", { since: t("10:59:00"), incidentIds: ["inc-2"] }),
        change("db", "11:30:00", "degraded_performance", "operational", { incidentIds: ["inc-2"] }),
      ],
      [
        {
          componentId: "db",
          incidentIds: ["inc-1"],
          intervals: [{ status: "major_outage", from: t("10:00:00"), to: t("10:10:00") }],
          start: t("10:00:00"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: null,
          end: t("10:10:00"),
          worst: "major_outage",
        },
        {
          componentId: "db",
          incidentIds: ["inc-2"],
          intervals: [{ status: "degraded_performance", from: t("11:00:00"), to: t("11:30:00") }],
          start: t("10:59:00"),
          confirmedStart: t("11:00:00"),
          earliestPossibleStart: null,
          end: t("11:30:00"),
          worst: "degraded_performance",
        },
      ],
    ],
    [
      "an ongoing window has no end",
      [change("search", "10:00:00", "operational", "partial_outage", { lastUpAt: t("09:59:00"), incidentIds: ["inc-1"] })],
      [
        {
          componentId: "search",
          incidentIds: ["inc-1"],
          intervals: [{ status: "partial_outage", from: t("10:00:00"), to: null }],
          start: t("10:00:00"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: t("09:59:00"),
          end: null,
          worst: "partial_outage",
        },
      ],
    ],
    [
      "history starting mid-outage: the window starts at the first change's at, ignoring its since and lastUpAt",
      [
        change("cdn", "10:00:00", "major_outage", "partial_outage", {
          since: t("09:50:00"),
          lastUpAt: t("09:40:00"),
          incidentIds: ["inc-1"],
        }),
        change("cdn", "10:10:00", "partial_outage", "operational", { incidentIds: ["inc-1"] }),
      ],
      [
        {
          componentId: "cdn",
          incidentIds: ["inc-1"],
          intervals: [{ status: "partial_outage", from: t("10:00:00"), to: t("10:10:00") }],
          start: t("10:00:00"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: null,
          end: t("10:10:00"),
          worst: "partial_outage",
        },
      ],
    ],
    [
      "history starting with the recovery: a zero-length window at the from level",
      [change("cdn", "10:00:00", "major_outage", "operational", { incidentIds: ["inc-1"] })],
      [
        {
          componentId: "cdn",
          incidentIds: ["inc-1"],
          intervals: [{ status: "major_outage", from: t("10:00:00"), to: t("10:00:00") }],
          start: t("10:00:00"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: null,
          end: t("10:00:00"),
          worst: "major_outage",
        },
      ],
    ],
    [
      "maintenance is not an outage",
      [
        change("web", "10:00:00", "operational", "under_maintenance"),
        change("web", "11:00:00", "under_maintenance", "operational"),
      ],
      [],
    ],
    [
      "major → under_maintenance ends the window; leaving maintenance opens nothing",
      [
        change("web", "10:00:00", "operational", "major_outage"),
        change("web", "10:30:00", "major_outage", "under_maintenance"),
        change("web", "11:00:00", "under_maintenance", "operational"),
      ],
      [
        {
          componentId: "web",
          incidentIds: [],
          intervals: [{ status: "major_outage", from: t("10:00:00"), to: t("10:30:00") }],
          start: t("10:00:00"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: null,
          end: t("10:30:00"),
          worst: "major_outage",
        },
      ],
    ],
    [
      "a missed recovery: the disagreeing from is overruled by the last known to (a new level, same window)",
      [
        change("api", "10:00:00", "operational", "major_outage"),
        // The change back to operational was lost; this one says operational → degraded.
        change("api", "10:30:00", "operational", "degraded_performance"),
        change("api", "10:40:00", "degraded_performance", "operational"),
      ],
      [
        {
          componentId: "api",
          incidentIds: [],
          intervals: [
            { status: "major_outage", from: t("10:00:00"), to: t("10:30:00") },
            { status: "degraded_performance", from: t("10:30:00"), to: t("10:40:00") },
          ],
          start: t("10:00:00"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: null,
          end: t("10:40:00"),
          worst: "major_outage",
        },
      ],
    ],
    [
      "a missed opening: a recovery from an unseen outage after the first change is nothing",
      [
        change("api", "10:00:00", "degraded_performance", "operational"),
        change("api", "10:30:00", "major_outage", "operational"),
      ],
      [
        {
          componentId: "api",
          incidentIds: [],
          intervals: [{ status: "degraded_performance", from: t("10:00:00"), to: t("10:00:00") }],
          start: t("10:00:00"),
          confirmedStart: t("10:00:00"),
          earliestPossibleStart: null,
          end: t("10:00:00"),
          worst: "degraded_performance",
        },
      ],
    ],
    [
      "a missed opening: an impaired → impaired change after a recovery opens a window with its since",
      [
        change("api", "10:00:00", "operational", "under_maintenance"),
        change("api", "10:30:00", "degraded_performance", "major_outage", { since: t("10:29:00") }),
      ],
      [
        {
          componentId: "api",
          incidentIds: [],
          intervals: [{ status: "major_outage", from: t("10:30:00"), to: null }],
          start: t("10:29:00"),
          confirmedStart: t("10:30:00"),
          earliestPossibleStart: null,
          end: null,
          worst: "major_outage",
        },
      ],
    ],
  ])("%s", (_name, changes, expected) => {
    expect(outageWindows(changes)).toEqual(expected);
  });

  it("sorts several interleaved components given out of order, and orders windows by start then componentId", () => {
    const changes = [
      change("b", "10:20:00", "partial_outage", "operational"),
      change("a", "10:30:00", "degraded_performance", "operational"),
      change("c", "10:05:00", "operational", "degraded_performance", { since: t("09:55:00") }),
      change("b", "10:00:00", "operational", "partial_outage"),
      change("a", "10:00:00", "operational", "degraded_performance"),
    ];
    const windows = outageWindows(changes);
    expect(windows.map((w) => [w.componentId, w.start.toISOString(), w.end?.toISOString() ?? null])).toEqual([
      ["c", "2024-05-01T09:55:00.000Z", null],
      ["a", "2024-05-01T10:00:00.000Z", "2024-05-01T10:30:00.000Z"],
      ["b", "2024-05-01T10:00:00.000Z", "2024-05-01T10:20:00.000Z"],
    ]);
  });

  it("keeps input order for changes recorded at the same instant", () => {
    const windows = outageWindows([
      change("a", "10:00:00", "operational", "major_outage"),
      change("a", "10:00:00", "major_outage", "operational"),
      change("a", "10:00:00", "operational", "partial_outage"),
    ]);
    expect(windows.map((w) => [w.worst, w.end?.toISOString() ?? null])).toEqual([
      ["major_outage", "2024-05-01T10:00:00.000Z"],
      ["partial_outage", null],
    ]);
  });

  it.each<[string, Partial<StatusChange>, [start: string, earliest: string | null]]>([
    ["since after at is clamped to at", { since: t("10:05:00") }, ["10:00:00", null]],
    ["lastUpAt after since is clamped to start", { since: t("09:50:00"), lastUpAt: t("09:55:00") }, ["09:50:00", "09:50:00"]],
    ["lastUpAt after at with no since is clamped to at", { lastUpAt: t("10:10:00") }, ["10:00:00", "10:00:00"]],
    ["an invalid since counts as unknown", { since: new Date(Number.NaN), lastUpAt: t("09:40:00") }, ["10:00:00", "09:40:00"]],
    ["an invalid lastUpAt counts as unknown", { since: t("09:50:00"), lastUpAt: new Date("nope") }, ["09:50:00", null]],
  ])("clamps the opening: %s", (_name, over, [start, earliest]) => {
    const [window] = outageWindows([change("a", "10:00:00", "operational", "major_outage", over)]);
    expect(window?.start).toEqual(t(start));
    expect(window?.confirmedStart).toEqual(t("10:00:00"));
    expect(window?.earliestPossibleStart).toEqual(earliest === null ? null : t(earliest));
  });

  it("skips a change whose at is not a valid date", () => {
    const windows = outageWindows([
      change("a", "10:00:00", "operational", "major_outage"),
      { ...change("a", "10:00:00", "major_outage", "operational"), at: new Date(Number.NaN) },
    ]);
    expect(windows.map((w) => [w.componentId, w.end])).toEqual([["a", null]]);
  });
});

describe("outageWindows, queries", () => {
  // checkout: 10:00 (since 09:58, lastUp 09:55) – 10:30, inc-1 then inc-2; 11:00 – ongoing, inc-3.
  // search: 10:10 – 10:20, inc-2.
  const history: StatusChange[] = [
    change("checkout", "10:00:00", "operational", "major_outage", { since: t("09:58:00"), lastUpAt: t("09:55:00"), incidentIds: ["inc-1"] }),
    change("checkout", "10:30:00", "major_outage", "operational", { incidentIds: ["inc-1", "inc-2"] }),
    change("checkout", "11:00:00", "operational", "partial_outage", { incidentIds: ["inc-3"] }),
    change("search", "10:10:00", "operational", "degraded_performance", { incidentIds: ["inc-2"] }),
    change("search", "10:20:00", "degraded_performance", "operational", { incidentIds: ["inc-2"] }),
  ];
  const label = (w: OutageWindow): string => `${w.componentId}@${w.confirmedStart.toISOString().slice(11, 16)}`;

  it.each<[string, WindowQuery, string[]]>([
    ["no query", {}, ["checkout@10:00", "search@10:10", "checkout@11:00"]],
    ["componentId", { componentId: "checkout" }, ["checkout@10:00", "checkout@11:00"]],
    ["unknown componentId", { componentId: "nope" }, []],
    ["incidentId held only at the closing change", { incidentId: "inc-2" }, ["checkout@10:00", "search@10:10"]],
    ["incidentId of the ongoing window", { incidentId: "inc-3" }, ["checkout@11:00"]],
    ["componentId and incidentId together", { componentId: "search", incidentId: "inc-2" }, ["search@10:10"]],
    ["a window ending exactly at from is left out", { from: t("10:30:00") }, ["checkout@11:00"]],
    ["a window ending just after from is kept", { from: t("10:29:59") }, ["checkout@10:00", "checkout@11:00"]],
    ["a window starting exactly at to is left out", { to: t("10:10:00") }, ["checkout@10:00"]],
    ["a window starting just before to is kept", { to: t("10:10:01") }, ["checkout@10:00", "search@10:10"]],
    ["to compares with earliestPossibleStart, not start", { to: t("09:56:00") }, ["checkout@10:00"]],
    ["to at earliestPossibleStart leaves the window out", { to: t("09:55:00") }, []],
    ["an open window overlaps everything after its start", { from: t("23:00:00") }, ["checkout@11:00"]],
    ["a range between windows", { from: t("10:40:00"), to: t("10:50:00") }, []],
    ["a range inside a window", { from: t("10:12:00"), to: t("10:13:00") }, ["checkout@10:00", "search@10:10"]],
    ["every filter", { componentId: "checkout", incidentId: "inc-1", from: t("10:00:00"), to: t("12:00:00") }, ["checkout@10:00"]],
  ])("%s", (_name, query, expected) => {
    expect(outageWindows(history, query).map(label)).toEqual(expected);
  });

  it.each<[WindowQuery]>([[{ from: new Date(Number.NaN) }], [{ to: new Date("not a date") }]])("refuses the query %j", (query) => {
    expect(() => outageWindows(history, query)).toThrow(RangeError);
  });
});

describe("withMargin", () => {
  const window = (over: Partial<OutageWindow>): OutageWindow => ({
    componentId: "checkout",
    incidentIds: [],
    intervals: [{ status: "major_outage", from: t("10:00:00"), to: t("10:30:00") }],
    start: t("09:58:00"),
    confirmedStart: t("10:00:00"),
    earliestPossibleStart: t("09:55:00"),
    end: t("10:30:00"),
    worst: "major_outage",
    ...over,
  });

  it.each<[string, Partial<OutageWindow>, number, { from: Date; to: Date | null }]>([
    ["from earliestPossibleStart", {}, 60_000, { from: t("09:54:00"), to: t("10:31:00") }],
    ["from start when earliestPossibleStart is unknown", { earliestPossibleStart: null }, 60_000, { from: t("09:57:00"), to: t("10:31:00") }],
    ["an open window stays open", { end: null }, 60_000, { from: t("09:54:00"), to: null }],
    ["no margin", {}, 0, { from: t("09:55:00"), to: t("10:30:00") }],
  ])("%s", (_name, over, marginMs, expected) => {
    expect(withMargin(window(over), marginMs)).toEqual(expected);
  });

  it.each<[number]>([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])("refuses the margin %d", (marginMs) => {
    expect(() => withMargin(window({}), marginMs)).toThrow(RangeError);
  });
});

describe("windowClosedText", () => {
  const window: OutageWindow = {
    componentId: "checkout",
    incidentIds: ["inc_1"],
    start: new Date("2026-11-26T13:20:05.000Z"),
    confirmedStart: new Date("2026-11-26T13:20:06.100Z"),
    earliestPossibleStart: new Date("2026-11-26T13:20:00.000Z"),
    end: new Date("2026-11-26T13:41:12.000Z"),
    worst: "major_outage",
    intervals: [{ status: "major_outage", from: new Date("2026-11-26T13:20:05.000Z"), to: new Date("2026-11-26T13:41:12.000Z") }],
  };

  it("gives the outage times as the outage and the widened bounds as what to reconcile, with the margin", () => {
    const { title, text } = windowClosedText("Checkout", { ...windowJson(window, 30_000) });
    expect(title).toBe("[Window] Checkout was impaired from 2026-11-26T13:20:05.000Z to 2026-11-26T13:41:12.000Z; reconcile 2026-11-26T13:19:30.000Z to 2026-11-26T13:41:42.000Z");
    expect(text).toBe(
      "Outage window of Checkout: major_outage from 2026-11-26T13:20:05.000Z (earliest possible 2026-11-26T13:20:00.000Z) to 2026-11-26T13:41:12.000Z. " +
        "Reconciliation bounds, widened by the 30s margin: 2026-11-26T13:19:30.000Z (the earliest possible start minus 30s) to 2026-11-26T13:41:42.000Z (the end plus 30s).",
    );
  });

  it("says when there is no margin, and when the earliest possible start is unknown", () => {
    const { title, text } = windowClosedText("Checkout", { ...windowJson({ ...window, earliestPossibleStart: null }, 0) });
    expect(title).toBe("[Window] Checkout was impaired from 2026-11-26T13:20:05.000Z to 2026-11-26T13:41:12.000Z; reconcile 2026-11-26T13:20:05.000Z to 2026-11-26T13:41:12.000Z");
    expect(text).toMatch(/\(earliest possible unknown\).*Reconciliation bounds \(no margin\): 2026-11-26T13:20:05.000Z \(the start\) to 2026-11-26T13:41:12.000Z \(the end\)\.$/);
  });
});

describe("window ids", () => {
  it("names a window by its component and start, and reads the id back", () => {
    expect(windowId("orders-db", t("10:00:00"))).toBe("orders-db@2024-05-01T10:00:00.000Z");
    expect(parseWindowId("orders-db@2024-05-01T10:00:00.000Z")).toEqual({ componentId: "orders-db", start: t("10:00:00") });
    // The component is what comes before the last @.
    expect(parseWindowId("db@eu@2024-05-01T10:00:00.000Z")).toEqual({ componentId: "db@eu", start: t("10:00:00") });
  });

  it.each(["orders-db", "@2024-05-01T10:00:00.000Z", "orders-db@yesterday", "orders-db@2024-05-01T10:00:00Z", "orders-db@2024-05-01T12:00:00.000+02:00", "orders-db@"])("%j is no window id", (id) => {
    expect(parseWindowId(id)).toBeNull();
  });

  it("gives the id in a window's JSON", () => {
    const [window] = outageWindows([change("orders-db", "10:00:00", "operational", "major_outage", { since: t("09:59:40") }), change("orders-db", "10:30:00", "major_outage", "operational")]);
    expect(windowJson(window!, 0).id).toBe("orders-db@2024-05-01T09:59:40.000Z");
  });

  it("finds the window that starts at an instant exactly, reading the millisecond around it", async () => {
    const changes = [
      change("orders-db", "10:00:00", "operational", "major_outage", { since: t("09:59:40") }),
      change("orders-db", "10:30:00", "major_outage", "operational"),
      change("orders-db", "11:00:00", "operational", "partial_outage"),
    ];
    const queries: WindowQuery[] = [];
    const windows = async (query: WindowQuery) => {
      queries.push(query);
      return outageWindows(changes, query);
    };
    expect((await windowAt(windows, "orders-db", t("09:59:40")))?.end).toEqual(t("10:30:00"));
    expect(queries).toEqual([{ componentId: "orders-db", from: new Date(t("09:59:40").getTime() - 1), to: new Date(t("09:59:40").getTime() + 1) }]);
    expect((await windowAt(windows, "orders-db", t("11:00:00")))?.end).toBeNull();
    expect(await windowAt(windows, "orders-db", t("10:00:00"))).toBeUndefined();
    expect(await windowAt(windows, "search", t("09:59:40"))).toBeUndefined();
  });
});
