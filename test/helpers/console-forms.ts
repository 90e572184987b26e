/** Reading the console's pages and sending its forms over HTTP, as a signed-in user's browser would. */

export const formHeaders = { "content-type": "application/x-www-form-urlencoded" };

/** The CSRF token of a page's forms. */
export const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** Text as the page escaped it, unescaped. */
export const unescapeHtml = (text: string | undefined) => text?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** A management page's refusal message (refusalBlock). */
export const errorIn = (html: string) => unescapeHtml(/<p class="error-message">([^<]*)<\/p>/.exec(html)?.[1]);

/** A management page's notice of what was just done (noticeBlock). */
export const noticeIn = (html: string) => unescapeHtml(/<p class="note" role="status">([^<]*)<\/p>/.exec(html)?.[1]);

/**
 * GET and form POST against a running Vigil with a session cookie. `post` sends the CSRF token of the account page
 * (every signed-in page carries the session's one), or `csrf` when given; a field given a list is sent once per item.
 */
export function consoleClient(baseUrl: () => string) {
  const get = async (cookie: string, path: string) => {
    const res = await fetch(`${baseUrl()}${path}`, { headers: { cookie }, redirect: "manual" });
    return { status: res.status, html: await res.text(), res };
  };
  const post = async (cookie: string, path: string, fields: Record<string, string | string[]> = {}, csrf?: string) => {
    const body = new URLSearchParams({ csrf: csrf ?? csrfIn((await get(cookie, "/manage/account")).html) });
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
    const res = await fetch(`${baseUrl()}${path}`, { method: "POST", redirect: "manual", headers: { ...formHeaders, cookie }, body: body.toString() });
    return { status: res.status, html: await res.text() };
  };
  return { get, post };
}
