import { createSocket } from "node:dgram";
import * as dnsPacket from "dns-packet";
import type { Answer } from "dns-packet";

/** The records a test DNS server holds for one name. */
export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
  CNAME?: string[];
  NS?: string[];
  /** Each entry is one TXT record; a list is one record split into several strings. */
  TXT?: (string | string[])[];
  MX?: { priority: number; exchange: string }[];
}

/** A DNS server on 127.0.0.1 (UDP), answering from a table. */
export interface TestDnsServer {
  port: number;
  /** `127.0.0.1:<port>`, as a probe's `resolver`. */
  address: string;
  /** Queries received so far, as "NAME TYPE". */
  queries: string[];
  close(): Promise<void>;
}

const NXDOMAIN = 3;
const ttl = 60;

const norm = (name: string) => name.toLowerCase().replace(/\.$/, "");

function answersFor(name: string, type: string, records: DnsRecords): Answer[] {
  switch (type) {
    case "A":
    case "AAAA":
    case "CNAME":
    case "NS":
      return (records[type] ?? []).map((data) => ({ name, type, ttl, data }));
    case "TXT":
      return (records.TXT ?? []).map((data) => ({ name, type: "TXT", ttl, data }));
    case "MX":
      return (records.MX ?? []).map((mx) => ({ name, type: "MX", ttl, data: { preference: mx.priority, exchange: mx.exchange } }));
    default:
      return [];
  }
}

/**
 * Starts a DNS server: names in `table` get their records (or an empty NOERROR answer for a type
 * they lack), other names NXDOMAIN, and names in `silent` no answer at all (for timeouts).
 */
export function startDnsServer(table: Record<string, DnsRecords>, options: { silent?: string[] } = {}): Promise<TestDnsServer> {
  const socket = createSocket("udp4");
  const queries: string[] = [];
  const silent = new Set((options.silent ?? []).map(norm));
  const known = new Map(Object.entries(table).map(([name, records]) => [norm(name), records]));

  socket.on("message", (message, peer) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not DNS: ignore, as a server would
    }
    const question = query.questions?.[0];
    if (question === undefined) return;
    queries.push(`${question.name} ${question.type}`);
    if (silent.has(norm(question.name))) return;
    const records = known.get(norm(question.name));
    const response = dnsPacket.encode({
      type: "response",
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | (records === undefined ? NXDOMAIN : 0),
      questions: [question],
      answers: records === undefined ? [] : answersFor(question.name, question.type, records),
    });
    socket.send(response, peer.port, peer.address);
  });

  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      resolve({
        port,
        address: `127.0.0.1:${port}`,
        queries,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
