import { promises as dnsPromises } from "node:dns";
import { isIP } from "node:net";
import * as z from "zod";
import { scalar, strictMap, text } from "../config/fields.ts";
import { elapsedSince, type ProbeContext, type ProbeError, type ProbeOutcome, type Probe } from "./types.ts";

/** The record types a `dns` monitor can ask for. */
export const recordTypes = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA"] as const;
/** One of `recordTypes`. */
export type RecordType = (typeof recordTypes)[number];

const recordType = scalar(`expected a record type (${recordTypes.join(", ")})`, (value) => {
  const upper = typeof value === "string" ? value.toUpperCase() : undefined;
  return recordTypes.find((t) => t === upper);
});

/** `1.1.1.1`, `1.1.1.1:5353`, `::1` or `[::1]:5353`, kept in the form `Resolver.setServers` reads. */
const resolverAddress = scalar("expected a resolver IP address such as 1.1.1.1 or 127.0.0.1:5353", (value) => {
  if (typeof value !== "string") return undefined;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+))(?::(\d{1,5}))?$/.exec(value);
  const address = match ? (match[1] ?? match[2] ?? "") : value;
  const portText = match?.[3];
  if (portText !== undefined && (Number(portText) < 1 || Number(portText) > 65535)) return undefined;
  const family = isIP(address);
  if (family === 0) return undefined;
  if (portText === undefined) return address;
  return family === 6 ? `[${address}]:${portText}` : `${address}:${portText}`;
});

/** The keys of a `dns` monitor: resolve `name` as `record_type`, optionally through a given resolver. */
export const DnsConfig = strictMap({
  name: text,
  record_type: recordType.prefault("A"),
  /** Values that must all be among the answers (for MX and SRV the target host is enough). */
  expect: z.preprocess((value) => (typeof value === "string" ? [value] : value), z.array(text).min(1)).optional(),
  resolver: resolverAddress.optional(),
});
/** A validated `dns` monitor configuration. */
export type DnsConfig = z.output<typeof DnsConfig>;

/** Resolves a name and checks its answers, through the system's resolvers or a given one. */
export const dnsProbe: Probe<DnsConfig> = {
  type: "dns",
  configSchema: DnsConfig,
  facts: ["latencyMs", "answerCount", "answers"],
  run: (config, ctx) => checkDns(config, ctx),
};

async function checkDns(config: DnsConfig, ctx: ProbeContext): Promise<ProbeOutcome> {
  const started = performance.now();
  const resolver = new dnsPromises.Resolver({ timeout: ctx.timeoutMs, tries: 1 });
  if (config.resolver !== undefined) resolver.setServers([config.resolver]);
  const down = (error: ProbeError): ProbeOutcome => {
    const latencyMs = elapsedSince(started);
    return { status: "down", latencyMs, error, facts: { latencyMs, answerCount: 0, answers: null } };
  };
  if (ctx.signal.aborted) return down(timedOut(ctx));
  // Cancelling makes every pending query fail with ECANCELLED, reported as the timeout it is.
  const onAbort = () => resolver.cancel();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  let answers: string[];
  try {
    answers = await query(resolver, config.name, config.record_type);
  } catch (err) {
    return down(ctx.signal.aborted ? timedOut(ctx) : dnsError(err, config, ctx));
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }

  const latencyMs = elapsedSince(started);
  answers.sort();
  const facts = { latencyMs, answerCount: answers.length, answers: answers.join(", ") };
  if (answers.length === 0) return { status: "down", latencyMs, facts, error: { kind: "dns", message: `no ${config.record_type} records for ${config.name}` } };
  const missing = (config.expect ?? []).filter((wanted) => !answers.some((answer) => matches(answer, wanted, config.record_type)));
  if (missing.length > 0) {
    const message = `${missing.map((m) => JSON.stringify(m)).join(", ")} not among the ${config.record_type} answers (${shorten(facts.answers)})`;
    return { status: "down", latencyMs, facts, error: { kind: "assertion", message } };
  }
  return { status: "up", latencyMs, facts };
}

/** Each answer as one line of text, the way it would appear in a zone file (without name and TTL). */
async function query(resolver: dnsPromises.Resolver, name: string, type: RecordType): Promise<string[]> {
  switch (type) {
    case "A":
      return resolver.resolve4(name);
    case "AAAA":
      return resolver.resolve6(name);
    case "CNAME":
      return resolver.resolveCname(name);
    case "NS":
      return resolver.resolveNs(name);
    case "TXT":
      // A TXT record may be split into several strings; they form one value.
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""));
    case "MX":
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case "SRV":
      return (await resolver.resolveSrv(name)).map((srv) => `${srv.priority} ${srv.weight} ${srv.port} ${srv.name}`);
    case "CAA":
      return (await resolver.resolveCaa(name)).map((caa) => {
        const { critical, ...rest } = caa as unknown as Record<string, string | number>;
        const [tag, value] = Object.entries(rest)[0] ?? ["", ""];
        return `${critical ?? 0} ${tag} "${String(value)}"`;
      });
  }
}

/** Whether `answer` satisfies an expected value: equal (names compared without case or final dot), or its target host for MX/SRV. */
function matches(answer: string, wanted: string, type: RecordType): boolean {
  if (answer === wanted) return true;
  if (type === "TXT" || type === "CAA") return false;
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, "");
  if (norm(answer) === norm(wanted)) return true;
  return (type === "MX" || type === "SRV") && norm(answer.split(" ").at(-1) ?? "") === norm(wanted);
}

function timedOut(ctx: ProbeContext): ProbeError {
  return { kind: "timeout", message: `no answer within ${ctx.timeoutMs} ms` };
}

/** c-ares error codes, as messages that name the query and the resolver. */
function dnsError(err: unknown, config: DnsConfig, ctx: ProbeContext): ProbeError {
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
  const via = config.resolver === undefined ? "" : ` (resolver ${config.resolver})`;
  switch (code) {
    case "ENOTFOUND":
      return { kind: "dns", message: `${config.name} does not exist (NXDOMAIN)${via}` };
    case "ENODATA":
      return { kind: "dns", message: `no ${config.record_type} records for ${config.name}${via}` };
    case "ETIMEOUT":
      return { ...timedOut(ctx), message: `${timedOut(ctx).message}${via}` };
    case "ESERVFAIL":
      return { kind: "dns", message: `server failure resolving ${config.name}${via}` };
    case "EREFUSED":
      return { kind: "dns", message: `query for ${config.name} refused${via}` };
    case "ECONNREFUSED":
      return { kind: "dns", message: `could not reach the resolver${via}` };
    default:
      return { kind: "dns", message: `could not resolve ${config.name}${via}: ${code || (err instanceof Error ? err.message : String(err))}` };
  }
}

function shorten(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}
