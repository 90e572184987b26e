/** What a redacted secret is stored as. */
export const redacted = "[redacted]";

const secretKey = /secret|password|passwd|token|api[_-]?key|authorization|cookie|credential/i;

/** Whether a settings key names a secret (its value is redacted when stored or shown). */
export const isSecretKey = (key: string): boolean => secretKey.test(key);

/**
 * A monitor's settings made safe to store and show (pure): values under a key that names a secret
 * (secret, password, token, api key, authorization, cookie, credential; header names included) become
 * "[redacted]", and a URL's password and `password`/`token`-like query parameters are replaced.
 * The running checks use the configuration in memory, never the stored copy.
 */
export function redactSettings(value: unknown, key = ""): unknown {
  if (key !== "" && isSecretKey(key) && value !== null && value !== undefined && value !== "") {
    return typeof value === "object" ? redactSettings(value) : redacted;
  }
  if (typeof value === "string") return redactUrlSecrets(value);
  if (Array.isArray(value)) return value.map((item) => redactSettings(item));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSettings(v, k)]));
  }
  return value;
}

function redactUrlSecrets(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text.replace(/(\/\/[^:/@]*):[^@]*@/, `$1:${redacted}@`);
  }
  let changed = false;
  if (url.password !== "") {
    url.password = redacted;
    changed = true;
  }
  for (const name of [...url.searchParams.keys()]) {
    if (secretKey.test(name)) {
      url.searchParams.set(name, redacted);
      changed = true;
    }
  }
  return changed ? url.toString() : text;
}
