import { defineConfig } from "drizzle-kit";

// Generates new forward-only migrations from src/store/schema.ts:
//   npx drizzle-kit generate --name <what_changed>
// Vigil applies migrations/*.sql with its own runner (src/store/migrate.ts), not drizzle's migrator;
// migrations/meta/ is drizzle-kit's snapshot of the schema, needed to diff the next change.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/schema.ts",
  out: "./migrations",
  migrations: { prefix: "index" },
  breakpoints: true,
});
