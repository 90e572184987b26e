/** Password hashing with argon2id (@node-rs/argon2, its defaults: 19 MiB, 2 passes, 1 lane, as OWASP recommends). */
import { hash, verify } from "@node-rs/argon2";

// Algorithm.Argon2id of @node-rs/argon2 (an ambient const enum, which this project's TypeScript settings cannot import).
const argon2id = 2;

/** Hashes a password into an argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: argon2id });
}

// Checked against when nobody has the e-mail typed, so that an unknown account costs as much time as a wrong password.
const decoy = hashPassword("a password nobody has: the account does not exist");

/** Whether `password` matches `stored`; with no stored hash it spends the same time and says no. */
export async function passwordMatches(password: string, stored: string | null): Promise<boolean> {
  if (stored === null) {
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
