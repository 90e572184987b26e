/** The TOTP second factor of a console user: enrol (a pending secret, confirmed with a code), check, turn off, reset. */
import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Store } from "../store/types.ts";
import { hashRecoveryCode, matchTotp, mintRecoveryCodes, newTotpSecret } from "./totp.ts";

type Deps = { store: Pick<Store, "secondFactors" | "events">; clock: Clock };

/** The answer to a code that does not match: which way it failed helps nobody but a guesser. */
export const codeRefusedMessage = "that code is not right (or was used already)";

/** The pending secret of a user enrolling, made now if there is none; AppError conflict when the second factor is on. */
export async function pendingTotpSecret(deps: Deps, userId: string, options: { fresh?: boolean } = {}): Promise<string> {
  const row = await deps.store.secondFactors.get(userId);
  if (row?.enabledAt) throw new AppError("conflict", "the second factor is on already");
  if (row?.pendingSecret && options.fresh !== true) return row.pendingSecret;
  const secret = newTotpSecret();
  if (!(await deps.store.secondFactors.begin(userId, secret))) throw new AppError("conflict", "the second factor is on already");
  return secret;
}

/**
 * Turns the second factor on once a code of the pending secret matches; returns the recovery codes, to be shown once
 * (the store keeps only their SHA-256). AppError validation_failed when the code does not match.
 */
export async function confirmTotp(deps: Deps, input: { userId: string; code: string }): Promise<{ recoveryCodes: string[] }> {
  const row = await deps.store.secondFactors.get(input.userId);
  if (row?.enabledAt) throw new AppError("conflict", "the second factor is on already");
  if (!row?.pendingSecret) throw new AppError("not_found", "no second factor is being set up: start again");
  const now = deps.clock.now();
  const step = matchTotp(row.pendingSecret, input.code, now);
  if (step === undefined) throw new AppError("validation_failed", codeRefusedMessage, { details: [{ path: "code", message: codeRefusedMessage }] });
  const recoveryCodes = mintRecoveryCodes();
  const hashes = recoveryCodes.map((c) => hashRecoveryCode(c) as string);
  if (!(await deps.store.secondFactors.enable(input.userId, row.pendingSecret, now, step, hashes))) throw new AppError("conflict", "the second factor changed meanwhile: start again");
  await deps.store.events.append({ at: now, kind: "user.second_factor_enabled", subject: input.userId, actor: `user:${input.userId}`, data: {} });
  return { recoveryCodes };
}

/** Whether a user's second factor is on. */
export async function hasSecondFactor(deps: { store: Pick<Store, "secondFactors"> }, userId: string): Promise<boolean> {
  return (await deps.store.secondFactors.get(userId))?.enabledAt != null;
}

/**
 * Checks a code against a user's second factor and spends it: a TOTP code for a step later than the last one accepted
 * (so a code seen once cannot be replayed), or, when `recovery` allows, an unused recovery code.
 */
export async function spendCode(deps: Deps, input: { userId: string; code: string; recovery: boolean }): Promise<"totp" | "recovery_code" | undefined> {
  const row = await deps.store.secondFactors.get(input.userId);
  if (!row?.enabledAt || !row.secret) return undefined;
  const now = deps.clock.now();
  const step = matchTotp(row.secret, input.code.slice(0, 64), now);
  if (step !== undefined) return (await deps.store.secondFactors.useStep(input.userId, step)) ? "totp" : undefined;
  const hash = input.recovery ? hashRecoveryCode(input.code.slice(0, 64)) : undefined;
  if (hash !== undefined && (await deps.store.secondFactors.useRecoveryCode(input.userId, hash, now))) {
    await deps.store.events.append({ at: now, kind: "user.recovery_code_used", subject: input.userId, actor: `user:${input.userId}`, data: {} });
    return "recovery_code";
  }
  return undefined;
}

/** Turns a user's own second factor off with a current code; AppError validation_failed when it does not match. */
export async function disableTotp(deps: Deps, input: { userId: string; code: string }): Promise<void> {
  if ((await spendCode(deps, { ...input, recovery: false })) === undefined) throw new AppError("validation_failed", codeRefusedMessage, { details: [{ path: "code", message: codeRefusedMessage }] });
  await deps.store.secondFactors.remove(input.userId);
  await deps.store.events.append({ at: deps.clock.now(), kind: "user.second_factor_disabled", subject: input.userId, actor: `user:${input.userId}`, data: {} });
}
