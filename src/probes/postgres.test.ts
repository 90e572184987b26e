import pg from "pg";
import { expect, it } from "vitest";
import { describeDbProbe } from "../../test/helpers/db-probe-suite.ts";
import { postgresSkipReason, startPostgres } from "../../test/helpers/postgres-server.ts";
import { postgresProbe } from "./postgres.ts";

describeDbProbe({
  probe: postgresProbe,
  serverName: "PostgreSQL",
  skipReason: postgresSkipReason(),
  start: (maxConnections) => startPostgres({ maxConnections }),
  maxConnections: 37,
  limitName: "max_connections",
  version: /^\d+\.\d+/,
  // Uptime has fractions of a second: above zero at once.
  uptimeStepS: 0,
  openClient: async (url) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return () => client.end();
  },
  // A backend leaves pg_stat_activity a moment after its client has gone.
  countsLazily: true,
  config: {
    accepts: "a url (postgres:// or postgresql://)",
    urlOnly: { url: "postgres://monitor:pw@db:5432/app" },
    withQuery: { url: "postgresql://db/app", query: "SELECT 1" },
    wrongUrl: { url: "mysql://db/", issue: 'expected a postgres:// or postgresql:// URL, got "mysql://db/"' },
    misspelt: { url: "postgres://db/", querry: "SELECT 1" },
  },
  queries: {
    noun: "query",
    slow: "SELECT pg_sleep(10)",
    failing: { query: "SELECT * FROM no_such_table", message: /^query failed: .*no_such_table/ },
    working: "SELECT 1",
    echo: (secret) => `SELECT * FROM "${secret}"`,
  },
  auth: { wrongPassword: /password authentication failed/, missingPassword: {} },
  silentUrls: (port) => [`postgres://monitor:pw@127.0.0.1:${port}/postgres`],
  unresolvableUrl: "postgres://monitor:pw@no-such-host.invalid:5432/postgres",
  more({ server, check }) {
    it("is down (protocol) for a database that does not exist", async () => {
      const url = new URL(server().url);
      url.pathname = "/no_such_db";
      expect(await check({ url: url.toString() })).toMatchObject({ status: "down", error: { kind: "protocol" } });
    });
  },
});
