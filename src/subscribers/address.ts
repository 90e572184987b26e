/**
 * Subscriber addresses as the public types them: an e-mail address or a webhook URL, checked and
 * put in one canonical form so that duplicates are found and nothing unsafe reaches a mail header
 * or an HTTP request line.
 */

/** A checked address, or why it was refused (a sentence fragment naming the problem). */
export type AddressResult = { ok: true; address: string } | { ok: false; error: string };

/** The longest e-mail address accepted (RFC 5321's limit on a forward path). */
export const maxEmailLength = 254;
/** The longest webhook URL accepted. */
export const maxWebhookUrlLength = 2048;

// Characters that could end a header, start a second address or a display name, or quote: never in an address.
const forbidden: [RegExp, string][] = [
  [/[\r\n]/, "a line break"],
  [/[\u0000-\u001F\u007F-\u009F]/, "a control character"],
  [/\s/, "a space"],
  [/[<>]/, "an angle bracket"],
  [/,/, "a comma"],
  [/;/, "a semicolon"],
  [/["()[\]\\:]/, "a quote, parenthesis, bracket, backslash or colon"],
  [/\p{Cf}/u, "an invisible formatting character"],
];
// RFC 5322 atext plus non-ASCII (RFC 6531), in dot-separated atoms.
const localPart = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u{A0}-\u{10FFFF}-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u{A0}-\u{10FFFF}-]+)*$/u;
const domainLabel = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

const fail = (error: string): AddressResult => ({ ok: false, error });

/**
 * An e-mail address in canonical form: trimmed, the domain in lower case (the local part is kept
 * as written: it may be case-sensitive). Exactly one @; a dot-atom local part of at most 64
 * characters (letters, digits, `!#$%&'*+/=?^_\`{|}~-`, non-ASCII); a domain of at least two labels;
 * at most 254 characters; no spaces, line breaks, control characters, angle brackets, commas,
 * semicolons, quotes, parentheses, brackets, backslashes or colons, so it cannot inject a header
 * or smuggle a second recipient. Quoted local parts and IP-literal domains are refused.
 */
export function normalizeEmail(input: string): AddressResult {
  if (typeof input !== "string") return fail("the e-mail address is not text");
  const address = input.trim();
  if (address === "") return fail("the e-mail address is empty");
  if (address.length > maxEmailLength) return fail(`the e-mail address is longer than ${maxEmailLength} characters`);
  for (const [pattern, what] of forbidden) if (pattern.test(address)) return fail(`the e-mail address contains ${what}`);
  const at = address.split("@");
  if (at.length === 1) return fail("the e-mail address has no @");
  if (at.length > 2) return fail("the e-mail address has more than one @");
  const [local = "", domain = ""] = at;
  if (local === "") return fail("the e-mail address has nothing before the @");
  if (local.length > 64) return fail("the part before the @ is longer than 64 characters");
  if (!localPart.test(local)) return fail(`the part before the @ ("${local}") has a dot at its start or end, two dots in a row, or a character not allowed`);
  if (domain === "") return fail("the e-mail address has no domain after the @");
  const labels = domain.split(".");
  if (labels.length < 2) return fail(`the domain "${domain}" has no dot, such as example.com`);
  if (labels.some((label) => !domainLabel.test(label))) return fail(`the domain "${domain}" is not a valid domain name`);
  if (/^\d+$/.test(labels.at(-1) ?? "")) return fail(`the domain "${domain}" ends in a number, not a top-level domain`);
  return { ok: true, address: `${local}@${domain.toLowerCase()}` };
}

/**
 * A webhook URL in canonical form (the WHATWG URL's `href`): http or https only, no user name or
 * password (credentials would be shown back in lists and exports), no spaces or control characters
 * (which URL parsing would silently drop), at most 2048 characters before and after normalisation.
 * Where it points (a private address) is for the sender to check when it connects.
 */
export function normalizeWebhookUrl(input: string): AddressResult {
  if (typeof input !== "string") return fail("the webhook URL is not text");
  const text = input.trim();
  if (text === "") return fail("the webhook URL is empty");
  if (text.length > maxWebhookUrlLength) return fail(`the webhook URL is longer than ${maxWebhookUrlLength} characters`);
  if (/[\u0000-\u0020\u007F-\u009F]/.test(text)) return fail("the webhook URL contains a space, line break or control character");
  if (!URL.canParse(text)) return fail("the webhook URL is not a URL, such as https://example.com/hooks/status");
  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:") return fail(`the webhook URL uses ${url.protocol}, expected http:// or https://`);
  if (url.username !== "" || url.password !== "") return fail("the webhook URL contains a user name or password");
  if (url.href.length > maxWebhookUrlLength) return fail(`the webhook URL is longer than ${maxWebhookUrlLength} characters once encoded`);
  return { ok: true, address: url.href };
}
