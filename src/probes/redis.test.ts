import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { describeDbProbe } from "../../test/helpers/db-probe-suite.ts";
import { redisSkipReason, startRedis } from "../../test/helpers/redis-server.ts";
import { brokenByHangUp, redisProbe } from "./redis.ts";

/** Runs `work` on a plain client of the server at `url`, then quits. */
async function withClient<T>(url: string, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url);
  try {
    return await work(client);
  } finally {
    await client.quit();
  }
}

describeDbProbe({
  probe: redisProbe,
  serverName: "redis-server",
  skipReason: redisSkipReason(),
  start: (maxClients) => startRedis({ maxClients }),
  maxConnections: 77,
  limitName: "maxclients",
  version: /^\d+\.\d+/,
  // Uptime is whole seconds.
  uptimeStepS: 1,
  openClient: async (url) => {
    const client = new Redis(url, { lazyConnect: true });
    await client.connect();
    return () => client.quit();
  },
  // The server counts a client until it has processed the QUIT's close.
  countsLazily: true,
  config: {
    accepts: "a url (redis:// or rediss://)",
    urlOnly: { url: "redis://:pw@cache:6379/0" },
    withQuery: { url: "rediss://cache:6380", query: "GET flag" },
    wrongUrl: { url: "http://cache/", issue: 'expected a redis:// or rediss:// URL, got "http://cache/"' },
    misspelt: { url: "redis://cache", querry: "PING" },
  },
  queries: {
    noun: "command",
    slow: "BLPOP no-such-list 10",
    failing: { query: "INCR not-a-number-key extra-arg", message: /^query failed: ERR/ },
    working: 'SET "health flag" "it works"',
    // The quotes kept the words together: the key and value have their spaces.
    afterWorking: (server) => withClient(server.url, async (admin) => expect(await admin.get("health flag")).toBe("it works")),
    echo: (secret) => `NO-SUCH-COMMAND ${secret}`,
  },
  // The missing-password URL has no password at all: the first command finds out.
  auth: { wrongPassword: /^WRONGPASS/, missingPassword: { message: /^NOAUTH/ } },
  // Both schemes: a TLS handshake must time out as surely as a plain connect.
  silentUrls: (port) => ["redis", "rediss"].map((scheme) => `${scheme}://:pw@127.0.0.1:${port}`),
  unresolvableUrl: "redis://:pw@no-such-host.invalid:6379",
  more({ server, check }) {
    it("reports replica when the server replicates from another", async () => {
      await withClient(server().url, async (admin) => {
        // A primary that does not exist is enough: INFO says role:slave as soon as REPLICAOF is set.
        await admin.call("REPLICAOF", "127.0.0.1", "1");
        expect((await check()).facts.role).toBe("replica");
        await admin.call("REPLICAOF", "NO", "ONE");
        expect((await check()).facts.role).toBe("primary");
      });
    });
  },
});

it("reads a first command broken by a hang-up however the kernel tells it, and nothing else", () => {
  for (const message of ["write EPIPE", "read ECONNRESET", "write ECONNRESET", "read EPIPE"]) expect(brokenByHangUp(new Error(message)), message).toBe(true);
  expect(brokenByHangUp(undefined)).toBe(true);
  for (const message of ["connect ECONNREFUSED 127.0.0.1:6379", "WRONGPASS invalid username-password pair", "write ECONNRESET later"]) expect(brokenByHangUp(new Error(message)), message).toBe(false);
});
