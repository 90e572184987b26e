/** A location inside the configuration data: mapping keys and list indexes from the root. */
export type ConfigPath = readonly (string | number)[];

const plainKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Renders a path the way users read it: `monitors[2].interval`; the root is the empty string. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (plainKey.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Reads the value at `path` in plain data, or undefined when the path leaves the data. */
export function valueAt(data: unknown, path: ConfigPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The longest prefix of `path` that does not descend into a scalar of `data` (a scalar has no children to blame). */
export function trimToData(data: unknown, path: ConfigPath): ConfigPath {
  let current = data;
  for (let i = 0; i < path.length; i++) {
    if (current === null || typeof current !== "object") return path.slice(0, i);
    current = (current as Record<string | number, unknown>)[path[i] as string | number];
  }
  return path;
}
