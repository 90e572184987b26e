// The embedded database's own thread: PGlite runs here, so that its queries (each one synchronous
// inside WebAssembly) never hold the main thread's event loop, which times the checks. The main
// thread talks to it through pglite-client.ts; the protocol is described there. Plain JavaScript:
// it needs nothing of Vigil's, so it starts without a TypeScript loader, from src/ and from dist/.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

const port = parentPort;
if (!port) throw new Error("pglite-thread.mjs runs as a worker thread");

/** A rejected callback: PGlite's transaction() rolls back when its callback throws. */
const rollbackSignal = Symbol("rollback");

/** The PostgreSQL fields an error carries across threads (structured clone keeps only message and stack). */
function plainError(error) {
  if (!(error instanceof Error)) return { message: String(error) };
  const out = { name: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) {
    // queryOptions may hold functions; the rest (code, detail, constraint, query, params...) are plain values.
    if (key !== "queryOptions" && typeof value !== "function") out[key] = value;
  }
  return out;
}

/** Query options from the main thread: parsers arrive as type ids and return PostgreSQL's text, parsed there. */
function optionsOf(options) {
  if (!options) return undefined;
  const { parserTypes, ...rest } = options;
  if (!parserTypes) return rest;
  const parsers = {};
  for (const type of parserTypes) parsers[type] = (value) => value;
  return { ...rest, parsers };
}

let db;
try {
  db = await PGlite.create({ dataDir: workerData.dataDir, postgresqlconf: workerData.settings });
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: plainError(error) });
  process.exit(1);
}

/** Open transactions by id: PGlite's transaction object, and how to end its callback. */
const transactions = new Map();
let nextTransaction = 1;

const reply = (id, value) => port.postMessage({ id, ok: true, value });
const fail = (id, error) => port.postMessage({ id, ok: false, error: plainError(error) });

/** Where a query runs: inside an open transaction, or on its own (waiting while a transaction is open). */
function sessionOf(tx) {
  if (tx === undefined) return db;
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open in the embedded database`);
  return open.tx;
}

function begin(id) {
  const txId = nextTransaction++;
  let end;
  const ended = new Promise((resolve) => (end = resolve));
  // The end message's id: the reply once PGlite has committed or rolled back.
  let endId;
  let started = false;
  db.transaction(async (tx) => {
    transactions.set(txId, { tx, end });
    started = true;
    reply(id, txId);
    const outcome = await ended;
    endId = outcome.id;
    if (!outcome.commit) throw rollbackSignal;
  }).then(
    () => {
      transactions.delete(txId);
      reply(endId, undefined);
    },
    (error) => {
      transactions.delete(txId);
      if (!started) fail(id, error);
      else if (error === rollbackSignal) reply(endId, undefined);
      // A failed COMMIT (25P02), or a ROLLBACK that could not run.
      else fail(endId ?? id, error);
    },
  );
}

port.on("message", async (m) => {
  try {
    switch (m.op) {
      case "query":
        reply(m.id, await sessionOf(m.tx).query(m.sql, m.params, optionsOf(m.options)));
        return;
      case "exec":
        reply(m.id, await sessionOf(m.tx).exec(m.sql, optionsOf(m.options)));
        return;
      case "begin":
        begin(m.id);
        return;
      case "rollback":
        await sessionOf(m.tx).rollback();
        reply(m.id, undefined);
        return;
      case "end": {
        const open = transactions.get(m.tx);
        if (!open) throw new Error(`transaction ${m.tx} is not open in the embedded database`);
        open.end({ id: m.id, commit: m.commit });
        return;
      }
      case "close":
        if (!db.closed) await db.close();
        // The main thread terminates this thread once it has the answer.
        reply(m.id, undefined);
        return;
      default:
        throw new Error(`unknown request ${String(m.op)}`);
    }
  } catch (error) {
    fail(m.id, error);
  }
});

port.postMessage({ id: 0, ok: true, value: "ready" });
