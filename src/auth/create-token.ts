import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store, TokenRow } from "../store/types.ts";
import { parseDuration } from "../core/duration.ts";
import { mintToken, type TokenScope } from "./token-format.ts";

/** A created token: the stored row (without its hash) and the secret, shown once. */
export interface CreatedToken {
  token: string;
  row: Omit<TokenRow, "secretHash">;
}

/**
 * When a token made at `now` expires, from what a person typed: a duration from now ("90d", "12h", "1d12h") or an
 * ISO 8601 time with a zone. AppError validation_failed, naming `path`, for anything else.
 */
export function expiryFrom(text: string, now: Date, path = "expires"): Date {
  const ms = parseDuration(text.trim());
  if (ms !== undefined && ms > 0) return new Date(now.getTime() + ms);
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i.test(text.trim()) ? new Date(text.trim()) : null;
  if (iso !== null && !Number.isNaN(iso.getTime())) return iso;
  const message = `expected a duration such as 90d or an ISO 8601 time with a zone such as 2027-03-01T00:00:00Z, got "${text.slice(0, 40)}"`;
  throw new AppError("validation_failed", `${path}: ${message}`, { details: [{ path, message }] });
}

/** Creates an API token; the secret is returned here and never again. */
export async function createToken(
  deps: { store: Pick<Store, "tokens" | "events">; clock: Clock },
  input: { name: string; scope: TokenScope; actor: string; expiresAt?: Date | null; region?: string | null },
): Promise<CreatedToken> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) {
    throw new AppError("validation_failed", "token name must be 1 to 100 characters", { details: [{ path: "name", message: "must be 1 to 100 characters" }] });
  }
  const createdAt = deps.clock.now();
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && !(expiresAt.getTime() > createdAt.getTime())) {
    const message = Number.isNaN(expiresAt.getTime()) ? "must be a valid time" : `must be later than now (${createdAt.toISOString()})`;
    throw new AppError("validation_failed", `token expiry ${message}`, { details: [{ path: "expires_at", message }] });
  }
  const region = regionOf(input.scope, input.region ?? null);
  const minted = mintToken();
  await deps.store.tokens.create({ id: minted.id, name, scope: input.scope, secretHash: minted.secretHash, createdAt, expiresAt, region });
  await deps.store.events.append({ at: createdAt, kind: "token.created", subject: minted.id, actor: input.actor, data: { name, scope: input.scope, expires_at: expiresAt?.toISOString() ?? null, region } });
  return { token: minted.token, row: { id: minted.id, name, scope: input.scope, createdAt, lastUsedAt: null, revokedAt: null, expiresAt, region } };
}

/** An agent token needs the one region it reports for (an id, as in the config's `regions`); no other scope takes one. */
function regionOf(scope: TokenScope, region: string | null): string | null {
  if (scope !== "agent") {
    if (region === null) return null;
    throw new AppError("validation_failed", `a region is given only to tokens of scope agent, not ${scope}`, { details: [{ path: "region", message: "only for scope agent" }] });
  }
  if (region === null) throw new AppError("validation_failed", "a token of scope agent needs the region it reports for (--region ID)", { details: [{ path: "region", message: "required for scope agent" }] });
  if (region.length > 63 || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(region)) {
    throw new AppError("validation_failed", `region "${region.slice(0, 70)}" is not a region id: lowercase letters, digits and hyphens`, { details: [{ path: "region", message: "expected a region id such as eu-west" }] });
  }
  return region;
}
