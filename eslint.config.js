import regexp from "eslint-plugin-regexp";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", ".vigil/**", "coverage/**", "dist/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "error",
    },
  },
  {
    // Patterns that backtrack super-linearly freeze the event loop on hostile input (a status page reads strangers'
    // requests, feeds and e-mail addresses): refused everywhere in Vigil's own code (tests read Vigil's own output).
    files: ["src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    plugins: { regexp },
    rules: {
      "regexp/no-super-linear-backtracking": "error",
      "regexp/no-super-linear-move": "error",
      "regexp/no-misleading-capturing-group": "error",
      "regexp/no-useless-quantifier": "error",
    },
  },
  {
    // Only the configuration loader reads the environment; everything else receives it.
    files: ["src/**/*.ts"],
    ignores: ["src/config/**", "src/cli/**", "**/*.test.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read the environment in src/config only." }],
    },
  },
  {
    files: ["src/cli/**/*.ts", "test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts", "**/*.test.ts"],
    rules: { "no-console": "off" },
  },
  {
    // Tests read JSON responses freely; production code may not.
    files: ["test/**/*.ts", "**/*.test.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
