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
