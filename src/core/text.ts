/**
 * Trimming without regular expressions. A pattern such as /\/+$/ or /\s+$/ is tried at every start position, so a
 * long run of the trimmed character that does not reach the end takes time quadratic in its length (16 KB of slashes
 * blocked the event loop for 190 ms); these walk the string once.
 */

/** `text` without the trailing characters `trimmed` accepts (by UTF-16 code unit). */
export function trimEndWhere(text: string, trimmed: (code: number) => boolean): string {
  let end = text.length;
  while (end > 0 && trimmed(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

/** `text` without the leading and trailing characters `trimmed` accepts (by UTF-16 code unit). */
export function trimWhere(text: string, trimmed: (code: number) => boolean): string {
  let start = 0;
  while (start < text.length && trimmed(text.charCodeAt(start))) start++;
  return trimEndWhere(text.slice(start), trimmed);
}

/** `text` without its trailing slashes: "https://example.com//" → "https://example.com". */
export function withoutTrailingSlashes(text: string): string {
  return trimEndWhere(text, (code) => code === 0x2f);
}
