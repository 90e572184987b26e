import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { actorOf } from "../../auth/authenticate.ts";
import { AppError } from "../../core/errors.ts";
import type { SubscriberRow, Store } from "../../store/types.ts";
import { parseSubscribersCsv, subscribersToCsv, type CsvImportError } from "../../subscribers/csv.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

/** The one route that takes a CSV body. */
export const subscriberImportUrl = "/api/v1/subscribers/import";

/** Subscribers read per query while exporting, so that memory stays bounded whatever the list's size. */
export const exportPageSize = 5_000;

const subscriberView = z.object({
  id: z.string(),
  kind: z.enum(["email", "webhook"]),
  address: z.string(),
  /** null: every component. */
  components: z.array(z.string()).nullable(),
  format: z.enum(["vigil", "statuspage"]).nullable(),
  confirmed_at: z.string(),
  created_at: z.string(),
});

function view(row: SubscriberRow): z.infer<typeof subscriberView> {
  return {
    id: row.id,
    kind: row.kind,
    address: row.address,
    components: row.componentIds,
    format: row.format,
    confirmed_at: row.confirmedAt.toISOString(),
    created_at: row.createdAt.toISOString(),
  };
}

/** Every subscriber as CSV (`subscribersToCsv`'s format), read from the store a page at a time. */
export async function* subscriberCsvChunks(store: Pick<Store, "subscribers">, pageSize = exportPageSize): AsyncGenerator<string> {
  let afterId: string | undefined;
  for (let first = true; ; first = false) {
    const page = await store.subscribers.list({ ...(afterId === undefined ? {} : { afterId }), limit: pageSize });
    if (first || page.length > 0) {
      const csv = subscribersToCsv(page.map((row) => ({ ...row, components: row.componentIds })));
      // The header once, at the start.
      yield first ? csv : csv.slice(csv.indexOf("\r\n") + 2);
    }
    if (page.length < pageSize) return;
    afterId = page.at(-1)?.id;
  }
}

/** Thrown inside a dry run's transaction to roll it back with the counts it would have had. */
class DryRunRollback extends Error {
  constructor(readonly counts: { added: number; updated: number }) {
    super("dry run: rolled back");
  }
}

/**
 * Lets `POST /api/v1/subscribers/import` take a `text/csv` body (read as UTF-8 text, within the server's
 * body limit). Every other route still refuses a CSV body with 415, as it refuses any body but JSON.
 */
export function acceptSubscriberCsv(app: FastifyInstance): void {
  app.addContentTypeParser("text/csv", { parseAs: "string" }, (request, body, done) => {
    if (request.routeOptions.url !== subscriberImportUrl) {
      done(new AppError("unsupported_media_type", "the request body must be application/json"), undefined);
      return;
    }
    done(null, body);
  });
}

const flag = z.enum(["true", "false"]).optional();

/** Subscriber administration: addresses are personal data, so everything but the count needs an admin token. */
export function subscriberRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/subscribers",
      operationId: "listSubscribers",
      summary: "Confirmed public subscribers by id; q keeps those whose address (e-mail or webhook URL) holds it, whatever the case; page with after=next_after",
      tag: "subscribers",
      auth: "subscribers.export",
      audit: "export",
      query: z.strictObject({
        kind: z.enum(["email", "webhook"]).optional(),
        after: z.string().min(1).max(200).optional(),
        q: z.string().trim().min(1).max(300).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: z.object({ subscribers: z.array(subscriberView), next_after: z.string().nullable() }),
      handler: async ({ query }) => {
        const kind = query.kind ? { kind: query.kind } : {};
        if (query.q === undefined) {
          const rows = await deps.store.subscribers.list({ ...kind, ...(query.after ? { afterId: query.after } : {}), limit: query.limit });
          return { subscribers: rows.map(view), next_after: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null };
        }
        // A search reads the list a page at a time (memory stays bounded) until `limit` match or the list ends.
        const needle = query.q.toLowerCase();
        const found: SubscriberRow[] = [];
        let afterId = query.after;
        for (;;) {
          const page = await deps.store.subscribers.list({ ...kind, ...(afterId === undefined ? {} : { afterId }), limit: exportPageSize });
          for (const row of page) {
            if (!row.address.toLowerCase().includes(needle)) continue;
            found.push(row);
            if (found.length === query.limit) return { subscribers: found.map(view), next_after: row.id };
          }
          if (page.length < exportPageSize) return { subscribers: found.map(view), next_after: null };
          afterId = page.at(-1)?.id;
        }
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/subscribers/count",
      operationId: "countSubscribers",
      summary: "How many confirmed public subscribers there are",
      tag: "subscribers",
      auth: "read",
      response: z.object({ count: z.number().int() }),
      handler: async () => ({ count: await deps.store.subscribers.count() }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/subscribers/export.csv",
      operationId: "exportSubscribers",
      summary: "Every subscriber as CSV (text/csv: kind,address,components,confirmed_at), streamed; cells a spreadsheet would run as formulas get a leading apostrophe",
      tag: "subscribers",
      auth: "subscribers.export",
      audit: "export",
      response: z.custom<Readable>().describe("text/csv"),
      handler: async ({ reply }) => {
        const day = deps.clock.now().toISOString().slice(0, 10);
        void reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="vigil-subscribers-${day}.csv"`)
          .header("cache-control", "no-store");
        return Readable.from(subscriberCsvChunks(deps.store));
      },
    }),
    defineRoute({
      method: "POST",
      url: subscriberImportUrl,
      operationId: "importSubscribers",
      summary:
        "Import subscribers from CSV (content-type: text/csv), confirmed: the operator vouches for their consent. Any bad line refuses the whole file with 400 unless partial=true; dry_run=true stores nothing",
      tag: "subscribers",
      auth: "subscribers.write",
      query: z.strictObject({ dry_run: flag, partial: flag }),
      body: z.string({ error: "expected a CSV file as the body, sent with content-type: text/csv" }),
      response: z.object({
        added: z.number().int(),
        updated: z.number().int(),
        skipped: z.number().int(),
        errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
        dry_run: z.boolean(),
      }),
      handler: async ({ body, query, principal }) => {
        const dryRun = query.dry_run === "true";
        const known = new Set((await deps.store.catalog.components()).map((c) => c.id));
        const { rows, errors } = parseSubscribersCsv(body, known);
        const details = (list: readonly CsvImportError[]) => list.map(({ line, message }) => ({ line, message }));
        if (errors.length > 0 && (query.partial !== "true" || rows.length === 0)) {
          const what = `${errors.length} error${errors.length === 1 ? "" : "s"}`;
          const advice = rows.length === 0 ? "no line can be imported" : "add partial=true to import the other lines";
          throw new AppError("validation_failed", `the CSV has ${what}; nothing was imported (${advice})`, { details: details(errors) });
        }
        const now = deps.clock.now();
        const records: SubscriberRow[] = rows.map((row) => ({
          id: `sub_${randomBytes(8).toString("hex")}`,
          kind: row.kind,
          address: row.address,
          componentIds: row.components,
          format: row.kind === "webhook" ? "vigil" : null,
          confirmedAt: row.confirmedAt ?? now,
          createdAt: now,
        }));
        const skipped = errors.length;
        let counts: { added: number; updated: number };
        try {
          counts = await deps.store.transaction(async (tx) => {
            const result = await tx.subscribers.importMany(records);
            if (dryRun) throw new DryRunRollback(result);
            await tx.events.append({ at: now, kind: "subscribers.imported", subject: null, actor: actorOf(principal), data: { ...result, skipped } });
            return result;
          });
        } catch (error) {
          if (!(error instanceof DryRunRollback)) throw error;
          counts = error.counts;
        }
        return { ...counts, skipped, errors: details(errors), dry_run: dryRun };
      },
    }),
    defineRoute({
      method: "DELETE",
      url: "/api/v1/subscribers/:id",
      operationId: "removeSubscriber",
      summary: "Remove a subscriber (204); they get no further messages",
      tag: "subscribers",
      auth: "subscribers.write",
      status: 204,
      params: z.object({ id: z.string().min(1).max(200) }),
      response: z.undefined(),
      handler: async ({ params, principal }) => {
        const removed = await deps.store.transaction(async (tx) => {
          const row = await tx.subscribers.get(params.id);
          if (row === undefined || !(await tx.subscribers.remove(params.id))) return false;
          // The timeline is kept for good: no address in it.
          await tx.events.append({ at: deps.clock.now(), kind: "subscriber.removed", subject: params.id, actor: actorOf(principal), data: { kind: row.kind } });
          return true;
        });
        if (!removed) throw new AppError("not_found", `no subscriber with id ${params.id}`);
        return undefined;
      },
    }),
  ];
}
