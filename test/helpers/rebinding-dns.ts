/**
 * A DNS server on 127.0.0.1 that answers each A query for a name with the next address of its sequence, with a zero
 * TTL (as a rebinding attacker's server does), and the resolvers that ask it: a checked one for Vigil's `lookup`, and
 * an unchecked fetch standing in for a plain HTTP client that resolves the name again on its own.
 */
import { createSocket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import * as dnsPacket from "dns-packet";
import { Agent, fetch as undiciFetch } from "undici";
import type { Lookup } from "../../src/notify/public-fetch.ts";

/** A rebinding DNS server. */
export interface RebindingDns {
  address: string;
  /** The A answers given so far, in order, as "name address". */
  answers: string[];
  close(): Promise<void>;
}

/** Starts a server answering the n-th A query (from 0) for a name with `answer(name, n)`; AAAA gets no record. */
export function startRebindingDns(answer: (name: string, n: number) => string): Promise<RebindingDns> {
  const socket = createSocket("udp4");
  const answers: string[] = [];
  const counts = new Map<string, number>();
  socket.on("message", (message, peer) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (question === undefined) return;
    const name = question.name.toLowerCase();
    const records: dnsPacket.Answer[] = [];
    if (question.type === "A") {
      const n = counts.get(name) ?? 0;
      counts.set(name, n + 1);
      const address = answer(name, n);
      answers.push(`${name} ${address}`);
      records.push({ name: question.name, type: "A", ttl: 0, data: address });
    }
    socket.send(dnsPacket.encode({ type: "response", id: query.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [question], answers: records }), peer.port, peer.address);
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      resolve({ address: `127.0.0.1:${socket.address().port}`, answers, close: () => new Promise<void>((done) => socket.close(() => done())) });
    });
  });
}

/** A lookup asking only `server` (no cache: each call is a query). */
export function lookupVia(server: RebindingDns): Lookup {
  const resolver = new Resolver();
  resolver.setServers([server.address]);
  return async (host) => (await resolver.resolve4(host)).map((address) => ({ address, family: 4 }));
}

/** A fetch that resolves every connection through `server` and checks nothing: what a plain HTTP client does. */
export function uncheckedFetchVia(server: RebindingDns): typeof fetch {
  const lookup = lookupVia(server);
  const agent = new Agent({
    connect: {
      lookup: (hostname, options, callback) => {
        lookup(hostname).then(
          (found) => (options.all ? (callback as unknown as (e: null, a: typeof found) => void)(null, found) : callback(null, found[0]!.address, 4)),
          (error: unknown) => callback(error as NodeJS.ErrnoException, "", 0),
        );
      },
    },
  });
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as unknown as typeof fetch;
}
