/** What a console password must be: long enough to resist guessing, short enough that hashing it stays cheap. */

/** The shortest and longest password accepted, in characters. */
export const passwordLength = { min: 12, max: 256 } as const;

/** Why a password is refused, as a sentence for the form; undefined when it is acceptable. Never repeats the password. */
export function passwordProblem(password: string, email: string): string | undefined {
  const length = [...password].length;
  if (length < passwordLength.min) return `the password must have at least ${passwordLength.min} characters`;
  if (length > passwordLength.max) return `the password must have at most ${passwordLength.max} characters`;
  if (password.trim().length !== password.length) return "the password must not start or end with a space";
  if (new Set(password).size < 4) return "the password must use more than a few different characters";
  const lowered = password.toLowerCase();
  const local = email.toLowerCase().split("@")[0] ?? "";
  if (lowered === email.toLowerCase() || (local.length >= 4 && lowered.includes(local))) return "the password must not contain your e-mail address";
  return undefined;
}
