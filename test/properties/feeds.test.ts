/**
 * Property tests of the upstream feed readers: any body, and documents shaped like feeds but hostile (deep nesting,
 * huge counts, entity tricks, odd values in every field), is read into a snapshot within the documented caps or refused
 * with a FeedParseError; nothing else is thrown.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AtomConfig, atomFormat } from "../../src/upstream/formats/atom.ts";
import { JsonConfig, jsonFormat } from "../../src/upstream/formats/json.ts";
import { RssConfig, rssFormat } from "../../src/upstream/formats/rss.ts";
import { maxComponents, maxId, maxItems, maxText, maxTitle, maxUrl } from "../../src/upstream/formats/sanitize.ts";
import { StatuspageConfig, statuspageFormat } from "../../src/upstream/formats/statuspage.ts";
import { VigilConfig, vigilFormat } from "../../src/upstream/formats/vigil.ts";
import { FeedParseError, type FeedSnapshot } from "../../src/upstream/types.ts";

const now = new Date("2026-11-27T18:00:00Z");
const url = "https://status.acmecloud.example/feed";
const ctx = { now, url };

const readers = {
  statuspage: (body: string) => statuspageFormat.parse(body, StatuspageConfig.parse({ url }), ctx),
  vigil: (body: string) => vigilFormat.parse(body, VigilConfig.parse({ url }), ctx),
  rss: (body: string) => rssFormat.parse(body, RssConfig.parse({ url }), ctx),
  atom: (body: string) => atomFormat.parse(body, AtomConfig.parse({ url }), ctx),
  json: (body: string) =>
    jsonFormat.parse(
      body,
      JsonConfig.parse({
        url,
        components: { path: "$.services", name: "$.title", status: "$.state", id: "$.slug", group: "$.region", status_map: { ok: "operational", down: "major_outage" } },
        incidents: { path: "$.incidents[*]", id: "$.id", title: "$.title", started_at: "$.begin", updated_at: "$.modified", url: "$.uri", text: "$.text", resolved_when: { path: "$.end" } },
      }),
      ctx,
    ),
};
type Reader = keyof typeof readers;
const readerNames = Object.keys(readers) as Reader[];

const controls = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/;

function expectWithinCaps(snapshot: FeedSnapshot): void {
  expect(snapshot.components.length).toBeLessThanOrEqual(maxComponents);
  expect(snapshot.incidents.length).toBeLessThanOrEqual(maxItems);
  expect(snapshot.maintenances.length).toBeLessThanOrEqual(maxItems);
  const link = (value: string | null) => {
    if (value === null) return;
    expect(value.length).toBeLessThanOrEqual(maxUrl);
    expect(value).toMatch(/^https?:\/\//);
    const parsed = new URL(value);
    expect(parsed.username + parsed.password).toBe("");
  };
  const title = (value: string) => {
    expect(value.length).toBeLessThanOrEqual(maxTitle);
    expect(value).not.toMatch(controls);
  };
  for (const c of snapshot.components) {
    expect(c.id.length).toBeLessThanOrEqual(maxId);
    title(c.name);
    if (c.group !== null) title(c.group);
  }
  for (const i of snapshot.incidents) {
    expect(i.id.length).toBeLessThanOrEqual(maxId);
    title(i.title);
    expect(i.text.length).toBeLessThanOrEqual(maxText);
    expect(i.text).not.toMatch(/<script/i);
    link(i.url);
    for (const d of [i.startedAt, i.updatedAt, i.resolvedAt]) if (d !== null) expect(Number.isNaN(d.getTime())).toBe(false);
  }
  for (const m of snapshot.maintenances) {
    expect(m.id.length).toBeLessThanOrEqual(maxId);
    title(m.title);
    link(m.url);
  }
}

/** Reads `body` with `reader`: a snapshot within the caps, or a FeedParseError with a message; nothing else. */
function readSafely(reader: Reader, body: string): FeedSnapshot | null {
  let snapshot: FeedSnapshot;
  try {
    snapshot = readers[reader](body);
  } catch (error) {
    if (!(error instanceof FeedParseError)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.message.length).toBeLessThanOrEqual(500);
    return null;
  }
  expectWithinCaps(snapshot);
  return snapshot;
}

/** Strings that break readers: markup, entities, controls, long runs, odd URLs and dates. */
const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ maxLength: 20, unit: "binary" }),
  fc.constantFrom(
    "<script>alert(1)</script>x", "<b onclick=x>b</b>", "&amp;lt;", "&#0;", "&#xD800;", "&bogus;", "\u0000\u202e", "x".repeat(5_000), "<p>".repeat(500),
    "javascript:alert(1)", "https://u:p@acme.example/x", "//acme.example", "/relative", `https://acme.example/${"a".repeat(3_000)}`, "data:text/html,x",
    "2026-11-27T17:00:00Z", "Fri, 27 Nov 2026 09:40:00 PST", "not a date", "99999999999999", "-1", "__proto__", "constructor", "",
  ),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nasty, { maxLength: 3 }), fc.dictionary(nasty, nasty, { maxKeys: 3 }));

/** `count` copies of records from a small pool: huge lists without generating each entry. */
const manyOf = <T>(record: fc.Arbitrary<T>, max: number) =>
  fc.tuple(fc.array(record, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max })).map(([pool, count]) =>
    Array.from({ length: count }, (_, i) => {
      const entry = pool[i % pool.length];
      // Copies get their own ids (readers keep one record per id), so a long list stays long.
      if (typeof entry !== "object" || entry === null) return entry;
      const record = { ...entry } as Record<string, unknown>;
      for (const key of ["id", "slug"]) if (typeof record[key] === "string") record[key] = `${record[key] as string}-${i}`;
      return record;
    }),
  );

/** Mostly a plausible value, sometimes anything: so records get past the first check and reach the caps. */
const mostly = (good: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: anyValue });
const word = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), nasty);
const when = fc.constantFrom("2026-11-27T17:00:00Z", "2026-11-27T16:00:00.123Z", "1795801200");
const summaryComponent = fc.record({ id: mostly(word), name: mostly(word), status: mostly(fc.constantFrom("operational", "major_outage", "under_maintenance", "exploded")), group_id: anyValue, group: anyValue, components: anyValue }, { requiredKeys: ["id", "name", "status"] });
const summaryIncident = fc.record(
  { id: mostly(word), name: mostly(word), status: mostly(fc.constantFrom("investigating", "resolved", "scheduled", "in_progress")), impact: anyValue, shortlink: mostly(fc.constantFrom("https://stspg.io/x", "javascript:alert(1)")), created_at: mostly(when), updated_at: mostly(when), resolved_at: anyValue, scheduled_for: mostly(when), scheduled_until: mostly(when), incident_updates: fc.array(fc.record({ body: anyValue, status: anyValue, created_at: mostly(when) }, { requiredKeys: [] }), { maxLength: 3 }), components: fc.array(summaryComponent, { maxLength: 2 }) },
  { requiredKeys: ["id", "name", "created_at", "scheduled_for"] },
);
const list = <T>(record: fc.Arbitrary<T>, max: number) => fc.oneof({ weight: 4, arbitrary: manyOf(record, max) }, { weight: 1, arbitrary: anyValue });
const summary = fc.record({ page: fc.oneof(anyValue, fc.record({ name: anyValue, url: anyValue })), components: list(summaryComponent, 1_200), incidents: list(summaryIncident, 400), scheduled_maintenances: list(summaryIncident, 400) }, { requiredKeys: ["components", "incidents"] });

const jsonDoc = fc.record({
  services: list(fc.record({ slug: mostly(word), title: mostly(word), state: mostly(fc.constantFrom("ok", "down", "odd")), region: anyValue }, { requiredKeys: [] }), 1_500),
  incidents: list(fc.record({ id: mostly(word), title: mostly(word), begin: mostly(when), modified: mostly(when), uri: anyValue, text: anyValue, end: anyValue }, { requiredKeys: [] }), 400),
}, { requiredKeys: [] });

/** XML text: escaped as a feed would, or left raw so that it is markup. */
const xmlText = fc.tuple(nasty, fc.constantFrom("escaped", "raw", "cdata")).map(([text, how]) =>
  how === "raw" ? text : how === "cdata" ? `<![CDATA[${text.replaceAll("]]>", "")}]]>` : text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;"),
);
const rssItem = fc.record({ title: xmlText, link: xmlText, guid: xmlText, pubDate: fc.oneof(xmlText, fc.constant("Fri, 27 Nov 2026 09:40:00 PST")), description: xmlText, category: xmlText }, { requiredKeys: [] })
  .map((item) => `<item>${Object.entries(item).map(([k, v]) => `<${k}>${v}</${k}>`).join("")}</item>`);
const atomEntry = fc.record({ id: xmlText, title: xmlText, updated: fc.oneof(xmlText, fc.constant("2026-11-27T17:05:12Z")), published: xmlText, content: xmlText, summary: xmlText }, { requiredKeys: [] })
  .map((entry) => `<entry>${Object.entries(entry).map(([k, v]) => `<${k}>${v}</${k}>`).join("")}<link href="${"https://acme.example/i"}"/></entry>`);
const prolog = fc.constantFrom(
  "",
  '<?xml version="1.0" encoding="UTF-8"?>\n',
  '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n',
  '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
);
const rssDoc = fc.tuple(prolog, manyOf(rssItem, 300), fc.constantFrom("", "&d;", "&xxe;", "<__proto__>x</__proto__>")).map(([head, items, extra]) => `${head}<rss version="2.0"><channel><title>Acme ${extra}</title>${items.join("")}</channel></rss>`);
const atomDoc = fc.tuple(prolog, manyOf(atomEntry, 300), fc.constantFrom("", "&d;", "&xxe;", "<constructor>x</constructor>")).map(([head, entries, extra]) => `${head}<feed xmlns="http://www.w3.org/2005/Atom"><title>Acme ${extra}</title>${entries.join("")}</feed>`);

/** Nesting far past any sane document: JSON arrays and objects, XML elements. */
const deep = fc.tuple(fc.integer({ min: 1, max: 50_000 }), fc.constantFrom("json-array", "json-object", "json-field", "xml")).map(([depth, kind]) => {
  if (kind === "json-array") return "[".repeat(depth) + "]".repeat(depth);
  if (kind === "json-object") return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  if (kind === "json-field") return `{"components":[{"id":"x","name":${"[".repeat(depth)}${"]".repeat(depth)}}],"services":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
  return `<rss><channel>${"<item>".repeat(depth)}${"</item>".repeat(depth)}</channel></rss>`;
});

describe("feed readers properties", () => {
  it("any body is a snapshot within the caps or a FeedParseError, for every format", () => {
    fc.assert(
      fc.property(fc.constantFrom(...readerNames), fc.oneof(fc.string({ maxLength: 500 }), fc.string({ maxLength: 300, unit: "binary" }), fc.json({ maxDepth: 4 })), (reader, body) => {
        readSafely(reader, body);
      }),
      { seed: 9001, numRuns: 1500 },
    );
  });

  it("Statuspage and Vigil summaries with hostile values and huge lists stay within the caps", () => {
    let longest = { components: 0, incidents: 0 };
    fc.assert(
      fc.property(fc.constantFrom<Reader>("statuspage", "vigil"), summary, (reader, doc) => {
        const snapshot = readSafely(reader, JSON.stringify(doc));
        if (snapshot) longest = { components: Math.max(longest.components, snapshot.components.length), incidents: Math.max(longest.incidents, snapshot.incidents.length) };
      }),
      {
        seed: 9002,
        numRuns: 60,
        // One run surely past both caps, with hostile text in every record.
        examples: [
          [
            "statuspage",
            {
              components: Array.from({ length: 1_500 }, (_, i) => ({ id: `c${i}`, name: `<b>API</b> ${"x".repeat(400)} ${i}`, status: "major_outage" })),
              incidents: Array.from({ length: 400 }, (_, i) => ({ id: `i${i}`.repeat(300), name: `\u0000<script>x</script>${"t".repeat(500)}`, status: "investigating", created_at: "2026-11-27T17:00:00Z", shortlink: "javascript:alert(1)", incident_updates: [{ body: "<p>y</p>".repeat(1_000), created_at: "2026-11-27T17:00:00Z" }] })),
            },
          ],
        ],
      },
    );
    // The generator does reach the caps, so the caps were tested, not just never approached.
    expect(longest).toEqual({ components: maxComponents, incidents: maxItems });
  });

  it("a JSON feed with hostile values and huge lists stays within the caps", () => {
    let longest = { components: 0, incidents: 0 };
    fc.assert(
      fc.property(jsonDoc, (doc) => {
        const snapshot = readSafely("json", JSON.stringify(doc));
        if (snapshot) longest = { components: Math.max(longest.components, snapshot.components.length), incidents: Math.max(longest.incidents, snapshot.incidents.length) };
      }),
      {
        seed: 9003,
        numRuns: 60,
        examples: [
          [
            {
              services: Array.from({ length: 1_500 }, (_, i) => ({ slug: `s${i}`, title: `Service ${"x".repeat(400)} ${i}`, state: "down" })),
              incidents: Array.from({ length: 400 }, (_, i) => ({ id: `i${i}`, title: "t".repeat(500), begin: "2026-11-27T17:00:00Z", uri: "https://u:p@acme.example/", text: "<script>x</script>".repeat(500) })),
            },
          ],
        ],
      },
    );
    expect(longest).toEqual({ components: maxComponents, incidents: maxItems });
  });

  it("RSS and Atom with hostile text, entity tricks and huge item counts stay within the caps", () => {
    let longest = 0;
    fc.assert(
      fc.property(fc.oneof(rssDoc.map((body) => ["rss", body] as const), atomDoc.map((body) => ["atom", body] as const)), ([reader, body]) => {
        const snapshot = readSafely(reader, body);
        if (snapshot) longest = Math.max(longest, snapshot.incidents.length + snapshot.maintenances.length);
      }),
      { seed: 9004, numRuns: 60 },
    );
    expect(longest).toBeGreaterThan(0);
  });

  it("deep nesting is read or refused, never a stack overflow", () => {
    fc.assert(
      fc.property(fc.constantFrom(...readerNames), deep, (reader, body) => {
        readSafely(reader, body);
      }),
      { seed: 9005, numRuns: 150 },
    );
  });
});
