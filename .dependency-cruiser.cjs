/** Import boundaries of Vigil (see docs/architecture.md). */
const pure = "^src/(core|cluster|detection|incidents|statuspage/view|statuspage/render|notify/routing|subscribers/(audience|csv|render|ip-range)|upstream/(match|attribution|types|public-update))";
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", from: {}, to: { circular: true } },
    {
      name: "core-is-the-bottom",
      comment: "core imports nothing of Vigil's but core.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: "^src/core/" },
    },
    {
      name: "pure-modules-do-no-io",
      comment: "Pure modules import no node:* built-ins, no store, no HTTP.",
      severity: "error",
      from: { path: pure, pathNot: "\\.test\\.ts$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "pure-modules-no-adapters",
      severity: "error",
      from: { path: pure, pathNot: "\\.test\\.ts$" },
      to: { path: "^src/(store|api|cli|app)" },
    },
    {
      name: "only-store-imports-drivers",
      comment: "The store is the only importer of its database drivers and the query layer.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/store/" },
      to: { path: "node_modules/(@electric-sql/pglite|drizzle-orm)/" },
    },
    {
      name: "pg-only-in-store-and-probes",
      comment: "pg serves the store and the postgres probe (which checks someone else's server); nothing else.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(store|probes)/" },
      to: { path: "node_modules/pg/" },
    },
    {
      name: "nothing-imports-the-shell",
      comment: "api and cli are entry adapters: only the composition root (src/app) and cli wire them.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(cli|app|api)/" },
      to: { path: "^src/(api|cli)/" },
    },
    {
      name: "no-test-imports-in-production",
      severity: "error",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { path: "(\\.test\\.ts$|^test/)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "\\.test\\.ts$" },
  },
};
