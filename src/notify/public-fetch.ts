/**
 * The transport for requests that public input makes Vigil send (subscriber webhooks: the confirmation ping and every
 * delivery). It connects only to addresses it has just checked: the name is resolved once, by the connection itself,
 * and every address it resolves to must be public (subscribers/ip-range.ts), else the connection is refused. Checking
 * a name and then letting the request resolve it again would let a name with a zero TTL answer a public address to
 * the check and a private one (loopback, 10/8, the cloud metadata service) to the request (DNS rebinding).
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { classifyAddress } from "../subscribers/ip-range.ts";

/** Resolves a host name to its addresses (the system resolver by default). */
export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

/** The system resolver, every address in the order it gives them. */
export const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** A connection refused because its host is, or resolves to, an address that is not public. */
export class PrivateAddressError extends Error {
  readonly code = "ERR_PRIVATE_ADDRESS";
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`${host} ${host === address ? "is" : `resolves to ${address},`} ${reason}`);
    this.name = "PrivateAddressError";
  }
}

/** The first address of `addresses` that is not public, as a refusal, or null. */
export function refusalOf(host: string, addresses: readonly { address: string }[]): PrivateAddressError | null {
  for (const { address } of addresses) {
    const verdict = classifyAddress(address);
    if (!verdict.public) return new PrivateAddressError(host, address, verdict.reason);
  }
  return null;
}

/**
 * A `net.connect` lookup that resolves with `lookup` and refuses a name when any of its addresses is not public (a
 * name that answers both is not trusted with either), handing the connection exactly the addresses it checked.
 */
export function publicLookup(lookup: Lookup = systemLookup): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname).then(
      (found) => {
        const refusal = refusalOf(hostname, found);
        if (refusal !== null) return callback(refusal, "", 0);
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = found.filter((a) => family === 0 || a.family === family);
        if (usable.length === 0) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: "ENOTFOUND" }), "", 0);
        if (options.all) return (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };
}

/** A fetch that connects only to public addresses, and the agent behind it (to close). */
export interface PublicFetch {
  fetch: typeof fetch;
  close(): Promise<void>;
}

/** A fetch whose every connection goes through {@link publicLookup}; an IP-literal host is checked as it is. */
export function createPublicFetch(options: { lookup?: Lookup } = {}): PublicFetch {
  const connector = buildConnector({ lookup: publicLookup(options.lookup) });
  const agent = new Agent({
    connect: (connectOptions, callback) => {
      // net.connect does not look up an IP literal: it is checked here instead.
      const host = connectOptions.hostname.replace(/^\[|\]$/g, "");
      if (isIP(host) !== 0) {
        const refusal = refusalOf(host, [{ address: host }]);
        if (refusal !== null) return callback(refusal, null);
      }
      connector(connectOptions, callback);
    },
  });
  const fetchThrough = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as unknown as typeof fetch;
  return { fetch: fetchThrough, close: () => agent.close() };
}
