/**
 * What the public may read of the evidence: generic phrasings of probe errors and warnings, and a scrub that removes
 * whatever still looks like an internal detail (addresses, ports, URLs, the configuration's host names, file paths).
 */
import { trimEndWhere } from "../core/text.ts";

/** Stands in the public text for something removed from it. */
export const hidden = "[hidden]";

/**
 * A probe error in words the public may read, from its kind (`timeout`, `dns`, `connect`, `tls`, `protocol`, `auth`,
 * `saturated`, `assertion`) and, for the few numbers worth telling, its message: "connection refused", "timed out after 5 s",
 * "HTTP 503". Never the message itself, which names hosts, ports and the driver's error codes.
 */
export function publicErrorPhrase(kind: string | null, message: string | null): string {
  const text = message ?? "";
  switch (kind ?? guessKind(text)) {
    case "timeout": {
      const seconds = secondsIn(text);
      return seconds === null ? "timed out" : `timed out after ${seconds} s`;
    }
    case "connect":
      if (/refused|ECONNREFUSED/i.test(text)) return "connection refused";
      if (/reset|ECONNRESET|closed/i.test(text)) return "connection reset";
      if (/unreachable|EHOSTUNREACH|ENETUNREACH/i.test(text)) return "host unreachable";
      return "connection failed";
    case "dns":
      return /NXDOMAIN|ENOTFOUND|does not exist/i.test(text) ? "name not found" : "name resolution failed";
    case "tls":
      return /expired/i.test(text) ? "certificate expired" : /certificate|cert/i.test(text) ? "certificate rejected" : "secure connection failed";
    case "auth":
      return "authentication failed";
    case "saturated":
      return "too many connections";
    case "protocol":
      return "invalid response";
    case "assertion": {
      const status = /\bstatus (\d{3})\b/.exec(text);
      if (status) return `HTTP ${status[1]}`;
      if (/heartbeat/i.test(text)) return "no heartbeat received";
      return "unexpected response";
    }
    default:
      return "failing";
  }
}

/** A degraded monitor's warning in words the public may read: "slow responses", "certificate expiring soon". */
export function publicWarningPhrase(warning: string): string {
  if (/latency|slow/i.test(warning)) return "slow responses";
  if (/certificate/i.test(warning)) return "certificate expiring soon";
  return "degraded performance";
}

const url = /\b[a-z][a-z0-9+.-]*:\/\/[^\s)>\]"']+/gi;
// Full (eight groups) or compressed (with "::") IPv6, bracketed with a port or bare; never a time such as 10:00:05.
const hex = "[0-9a-f]{1,4}";
const ipv6 = new RegExp(
  [
    "\\[[0-9a-f.]*:[0-9a-f:.]*(?:%[\\w.-]+)?\\](?::\\d{1,5})?",
    `\\b(?:${hex}:){7}${hex}\\b`,
    `(?<![\\w:.])(?:${hex}(?::${hex}){0,6})?::(?:${hex}(?::${hex}){0,6})?(?::\\d{1,3}(?:\\.\\d{1,3}){3})?(?:%[\\w.-]+)?(?![\\w:]|\\.\\d)`,
  ].join("|"),
  "gi",
);
const ipv4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g;
// A host (with a letter in it, so that 21:20 stays a time) and a port; tried only where a run of host characters
// starts, so that a long run without a port is read once, not once per position.
const hostPort = /(?<![a-z0-9.-])(?=[a-z0-9.-]*[a-z])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*:\d{1,5}\b/gi;
const domain = /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z]{2,63})\b/gi;
const path = /(?:^|(?<=[\s(="']))(?:~|\.{1,2})?(?:\/[\w.@-]+){2,}\/?|\b[a-z]:\\\S+/gi;

/**
 * `text` with every internal detail replaced by `[hidden]`: URLs, IPv4 and IPv6 addresses (with their ports),
 * host:port pairs, `hosts` (the host names of the configuration), domain names, and file paths. The `keep` strings
 * (the site's component names, which may contain a dot) are left as they are. Pure; what is left still reads.
 */
export function scrubPublicText(text: string, hosts: readonly string[] = [], keep: readonly string[] = []): string {
  const kept = [...new Set(keep)].filter((k) => k.length > 0).sort((a, b) => b.length - a.length);
  if (kept.length === 0) return scrub(text, hosts);
  // Scrub what lies between the kept strings; the kept strings themselves stay.
  const parts = text.split(new RegExp(`(${kept.map(escapeRegExp).join("|")})`, "g"));
  return parts.map((part, i) => (i % 2 === 1 ? part : scrub(part, hosts))).join("");
}

function scrub(text: string, hosts: readonly string[]): string {
  let out = text.replace(url, hidden);
  for (const host of [...hosts].filter((h) => h.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(escapeRegExp(host), "gi"), hidden);
  }
  out = out.replace(path, hidden).replace(ipv6, hidden).replace(ipv4, hidden).replace(hostPort, hidden).replace(domain, hidden);
  // "[hidden]:5432" and "[hidden] [hidden]" read as one detail.
  return out.replace(/\[hidden\](?::\d{1,5})?(?:[\s:]*\[hidden\](?::\d{1,5})?)*/g, hidden);
}

/**
 * The internal details in `text` a person should not publish unseen: the configuration's `hosts`, IPv4 and IPv6
 * addresses, host:port pairs and file paths, each with its line (from 1), in order. URLs and domain names are not
 * reported (a postmortem may link to a provider's page); they are hidden only where Vigil scrubs text itself.
 */
export function internalDetails(text: string, hosts: readonly string[] = []): { line: number; found: string }[] {
  const found: { line: number; found: string }[] = [];
  const patterns = [ipv6, ipv4, hostPort, path];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const seen = new Set<string>();
    const add = (value: string): void => {
      // A sentence's full stop or comma after a path is not part of it.
      const trimmed = trimEndWhere(value.trim(), (code) => code === 0x2e || code === 0x2c || code === 0x3b);
      if (trimmed !== "" && !seen.has(trimmed)) {
        seen.add(trimmed);
        found.push({ line: i + 1, found: trimmed });
      }
    };
    const lower = line.toLowerCase();
    for (const host of hosts) if (host.length > 0 && lower.includes(host.toLowerCase())) add(host);
    for (const pattern of patterns) for (const match of line.matchAll(pattern)) add(match[0]);
  });
  return found;
}

/** The host names in a configuration's values worth hiding: hosts of URLs and the values of `host`-like keys. */
export function hostsIn(values: readonly Record<string, unknown>[]): string[] {
  const hosts = new Set<string>();
  const visit = (key: string, value: unknown): void => {
    if (typeof value === "string") {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
        try {
          const host = new URL(value).hostname.replace(/^\[|\]$/g, "");
          if (host !== "") hosts.add(host);
        } catch {
          // Not a URL after all: nothing to hide.
        }
      } else if (/^(host|hostname|server|name|resolver)$/i.test(key) && /[.:]/.test(value)) {
        hosts.add(value);
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(key, item);
    } else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(k, v);
    }
  };
  for (const record of values) for (const [k, v] of Object.entries(record)) visit(k, v);
  return [...hosts];
}

function guessKind(message: string): string | null {
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH/.test(message)) return "connect";
  if (/ETIMEDOUT|timed out|timeout/i.test(message)) return "timeout";
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return "dns";
  return null;
}

/** The first duration in `text` ("800 ms", "5 s", "5000ms") in seconds, as a short number; null when there is none. */
function secondsIn(text: string): string | null {
  const match = /(?<![\d.])(\d+(?:\.\d+)?)\s*(ms|s)\b/.exec(text);
  if (!match) return null;
  const seconds = Number(match[1]) / (match[2] === "ms" ? 1000 : 1);
  return String(Math.round(seconds * 10) / 10);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
