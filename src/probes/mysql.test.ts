import { createConnection } from "mysql2/promise";
import { expect, it } from "vitest";
import { describeDbProbe } from "../../test/helpers/db-probe-suite.ts";
import { mariadbSkipReason, startMariadb } from "../../test/helpers/mariadb.ts";
import { mysqlProbe } from "./mysql.ts";

describeDbProbe({
  probe: mysqlProbe,
  serverName: "MariaDB",
  skipReason: mariadbSkipReason(),
  start: (maxConnections) => startMariadb({ maxConnections }),
  maxConnections: 57,
  limitName: "max_connections",
  version: /MariaDB/,
  // Uptime is whole seconds.
  uptimeStepS: 1,
  openClient: async (url) => {
    const conn = await createConnection(url);
    return () => conn.end();
  },
  countsLazily: false,
  config: {
    accepts: "a url",
    urlOnly: { url: "mysql://monitor:pw@db:3306/" },
    withQuery: { url: "mysql://db/", query: "SELECT 1" },
    wrongUrl: { url: "postgres://db/", issue: 'expected a mysql:// URL, got "postgres://db/"' },
    misspelt: { url: "mysql://db/", querry: "SELECT 1" },
  },
  queries: {
    noun: "query",
    slow: "SELECT SLEEP(10)",
    failing: { query: "SELECT * FROM app.no_such_table", message: /^query failed: .*no_such_table/ },
    working: "SELECT 1",
    echo: (secret) => `SELECT * FROM app.\`${secret}\``,
  },
  auth: { wrongPassword: /Access denied/ },
  silentUrls: (port) => [`mysql://monitor:pw@127.0.0.1:${port}/`],
  unresolvableUrl: "mysql://monitor:pw@no-such-host.invalid:3306/",
  more({ server, check }) {
    it("reports replica when read_only is ON", async () => {
      const root = await createConnection(server().rootUrl);
      try {
        await root.query("SET GLOBAL read_only = ON");
        expect((await check()).facts.role).toBe("replica");
        await root.query("SET GLOBAL read_only = OFF");
        expect((await check()).facts.role).toBe("primary");
      } finally {
        await root.end();
      }
    });
  },
});
