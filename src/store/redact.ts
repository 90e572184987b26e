/** A PostgreSQL URL made safe to print: `postgres://user:***@host:port/db`, query string dropped. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Unparseable: still hide anything between "//user:" and "@", and drop the query.
    const query = url.indexOf("?");
    return (query === -1 ? url : url.slice(0, query)).replace(/(\/\/[^:/@]*):[^@]*@/, "$1:***@");
  }
  const user = parsed.username === "" ? "" : `${decodeURIComponent(parsed.username)}${parsed.password === "" ? "" : ":***"}@`;
  const host = decodeURIComponent(parsed.hostname);
  const port = parsed.port === "" ? "5432" : parsed.port;
  return `${parsed.protocol}//${user}${host}:${port}${decodeURIComponent(parsed.pathname)}`;
}

/** The secrets of a URL (its password, raw and decoded, and a password query parameter) for scrubbing text. */
export function urlSecrets(url: string): string[] {
  const secrets = new Set<string>();
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") {
      secrets.add(parsed.password);
      secrets.add(safeDecode(parsed.password));
    }
    const queryPassword = parsed.searchParams.get("password");
    if (queryPassword) secrets.add(queryPassword);
  } catch {
    const match = /\/\/[^:/@]*:([^@]*)@/.exec(url);
    if (match?.[1]) {
      secrets.add(match[1]);
      secrets.add(safeDecode(match[1]));
    }
  }
  return [...secrets].filter((s) => s.length > 0);
}

/** `text` with every secret replaced by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
