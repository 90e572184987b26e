/**
 * The console's audit log page (/manage/audit) and its CSV download (/manage/audit.csv): server-rendered, filters in a
 * plain GET form, no script. Both need the action audit.read (role admin or above).
 */
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply } from "fastify";
import { auditCsvChunks } from "../../audit/csv.ts";
import { isAppError } from "../../core/errors.ts";
import { esc } from "../../statuspage/render/html/escape.ts";
import type { AuditFilter, AuditRow, Store } from "../../store/types.ts";
import { auditFilterQuery, filterOf } from "../../audit/filter.ts";
import { consolePage, messagePage, type SignedInChrome } from "./pages.ts";
import type { ConsoleKit } from "./kit.ts";
import { scrollBox } from "./manage-forms.ts";

/** Entries per page. */
export const auditPageSize = 50;

interface AuditPageDeps {
  store: Pick<Store, "audit">;
  now(): Date;
  /** The console's guard: the signed-in user allowed `action`, with their page's header (kit.allowed). */
  allowed: ConsoleKit["allowed"];
  page(reply: FastifyReply, status: number, html: string): FastifyReply;
}

const filterKeys = ["actor", "action", "since", "until"] as const;

function filtersOf(query: unknown): { values: Record<(typeof filterKeys)[number], string>; filter?: AuditFilter; error?: string } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(filterKeys.map((key) => [key, typeof raw[key] === "string" ? (raw[key] as string).trim() : ""])) as Record<(typeof filterKeys)[number], string>;
  const given = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
  const parsed = auditFilterQuery.safeParse(given);
  if (!parsed.success) return { values, error: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ") };
  return { values, filter: filterOf(parsed.data) };
}

function row(entry: AuditRow): string {
  const target = entry.targetId === null ? entry.targetKind : `${entry.targetKind} ${entry.targetId}`;
  return (
    `<tr><td><time datetime="${esc(entry.at.toISOString())}">${esc(entry.at.toISOString().replace("T", " ").slice(0, 19))}</time></td><td class="actor">${esc(entry.actor)}</td>` +
    `<td>${esc(entry.via)}</td><td class="action">${esc(entry.action)}</td><td class="operation">${esc(entry.operation)}</td><td>${esc(target)}</td><td>${entry.status}</td>` +
    `<td>${esc(entry.clientAddress ?? "")}</td><td><code>${esc(JSON.stringify(entry.summary))}</code></td></tr>`
  );
}

/** The page's HTML. */
export function auditPage(input: { entries: readonly AuditRow[]; values: Record<string, string>; error?: string; older?: number; chrome?: SignedInChrome }): string {
  const query = new URLSearchParams(Object.entries(input.values).filter(([, value]) => value !== "")).toString();
  const field = (name: string, label: string, hint: string) =>
    `<label for="${name}">${label}</label><input id="${name}" name="${name}" value="${esc(input.values[name] ?? "")}" placeholder="${esc(hint)}">`;
  const table =
    input.entries.length === 0
      ? `<p id="empty">No entries match.</p>`
      : `<table id="entries"><thead><tr><th>Time (UTC)</th><th>Actor</th><th>Via</th><th>Action</th><th>Operation</th><th>Target</th><th>Status</th><th>Address</th><th>What</th></tr></thead><tbody>${input.entries.map(row).join("")}</tbody></table>`;
  const older = input.older === undefined ? "" : `<p><a id="older" href="/manage/audit?${esc(new URLSearchParams([...new URLSearchParams(query), ["before", String(input.older)]]).toString())}">Older entries</a></p>`;
  return consolePage(
    "Audit log",
    `<h1>Audit log</h1><p class="note">Every write through the API, the console and the local CLI, and every export of subscriber data. Entries are never changed or removed.</p>` +
      (input.error ? `<p class="error" role="alert">${esc(input.error)}</p>` : "") +
      `<form method="get" action="/manage/audit" id="filters">${field("actor", "Actor", "ada@example.com, a token's name, or cli")}${field("action", "Action or operation", "incidents.write or createIncident")}` +
      `${field("since", "Since", "2026-12-01T00:00:00Z")}${field("until", "Until", "2026-12-02T00:00:00Z")}<button type="submit">Filter</button></form>` +
      `<p><a id="csv" href="/manage/audit.csv${query === "" ? "" : `?${esc(query)}`}">Download CSV</a></p>${scrollBox("Audit entries")}${table}</div>${older}`,
    { narrow: false, ...(input.chrome ? { chrome: input.chrome } : {}) },
  );
}

/** Registers /manage/audit and /manage/audit.csv in the console's scope. */
export function registerAuditPages(scope: FastifyInstance, deps: AuditPageDeps): void {
  scope.get("/manage/audit", async (request, reply) => {
    const signedIn = await deps.allowed(request, reply, "audit.read", "/manage/audit");
    if (signedIn === undefined) return reply;
    const { chrome } = signedIn;
    const { values, filter, error } = filtersOf(request.query);
    if (filter === undefined) return deps.page(reply, 400, auditPage({ entries: [], values, chrome, ...(error ? { error } : {}) }));
    const beforeText = (request.query as Record<string, unknown> | undefined)?.before;
    const before = typeof beforeText === "string" && /^[1-9]\d{0,15}$/.test(beforeText) ? Number(beforeText) : undefined;
    const entries = await deps.store.audit.list(filter, auditPageSize, before);
    return deps.page(reply, 200, auditPage({ entries, values, chrome, ...(entries.length === auditPageSize ? { older: entries.at(-1)?.id as number } : {}) }));
  });

  scope.get("/manage/audit.csv", async (request, reply) => {
    if ((await deps.allowed(request, reply, "audit.read", "/manage/audit")) === undefined) return reply;
    const { values, filter, error } = filtersOf(request.query);
    if (filter === undefined) return deps.page(reply, 400, auditPage({ entries: [], values, ...(error ? { error } : {}) }));
    const day = deps.now().toISOString().slice(0, 10);
    try {
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="vigil-audit-${day}.csv"`)
        .header("cache-control", "no-store")
        .send(Readable.from(auditCsvChunks((before, limit) => deps.store.audit.list(filter, limit, before))));
    } catch (error) {
      if (isAppError(error)) return deps.page(reply, 400, messagePage("Audit log", error.message));
      throw error;
    }
  });
}
