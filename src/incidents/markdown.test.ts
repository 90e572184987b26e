import { describe, expect, it } from "vitest";
import { markdownToText, renderMarkdown } from "./markdown.ts";

const rel = 'rel="nofollow noopener noreferrer" target="_blank"';

describe("renderMarkdown, what renders", () => {
  it.each<[string, string, string]>([
    ["emphasis and code", "**bold** *em* ~~gone~~ `code`", "<p><strong>bold</strong> <em>em</em> <del>gone</del> <code>code</code></p>\n"],
    ["a line break at every newline", "line one\nline two", "<p>line one<br />line two</p>\n"],
    ["a bulleted list", "- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"],
    ["a numbered list", "1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"],
    ["a numbered list's start", "3. three", '<ol start="3">\n<li>three</li>\n</ol>\n'],
    ["a link with a title", '[docs](https://e.com/docs "Docs")', `<p><a href="https://e.com/docs" title="Docs" ${rel}>docs</a></p>\n`],
    ["a relative link", "[x](/incidents/1)", `<p><a href="/incidents/1" ${rel}>x</a></p>\n`],
    ["a mailto link", "[mail](mailto:ops@e.com)", `<p><a href="mailto:ops@e.com" ${rel}>mail</a></p>\n`],
    ["a bare URL", "see https://e.com", `<p>see <a href="https://e.com" ${rel}>https://e.com</a></p>\n`],
    ["h1 and h2 become h3, h3 to h6 stay", "# Title\n## Sub\n### Three\n#### Four", "<h3>Title</h3>\n<h3>Sub</h3>\n<h3>Three</h3>\n<h4>Four</h4>\n"],
    ["a raw h1 becomes h3 without its handler", '<h1 onclick="x">H</h1>', "<h3>H</h3>"],
    [
      "a table with alignment",
      "| Region | Status |\n|:--|--:|\n| EU | ok |",
      '<table>\n<thead>\n<tr>\n<th align="left">Region</th>\n<th align="right">Status</th>\n</tr>\n</thead>\n<tbody><tr>\n<td align="left">EU</td>\n<td align="right">ok</td>\n</tr>\n</tbody></table>\n',
    ],
    ["a quote", "> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"],
    ["a code block, escaped, its language class dropped", "```js\nx < 1\n```", "<pre><code>x &lt; 1\n</code></pre>\n"],
    ["a rule", "---", "<hr />\n"],
    ["an ampersand", "A & B", "<p>A &amp; B</p>\n"],
    ["nothing", "", ""],
  ])("%s", (_name, source, expected) => {
    expect(renderMarkdown(source)).toBe(expected);
  });
});

describe("renderMarkdown, what is removed", () => {
  it.each<[string, string, string]>([
    ["a script, content and all", "<script>alert(1)</script>Hello", "Hello"],
    ["a script inside svg", "<svg onload=alert(1)><script>alert(1)</script></svg>ok", "<p>ok</p>\n"],
    ["style, iframe and textarea, content and all", '<style>p{color:red}</style><iframe src="https://e.com"></iframe><textarea>t</textarea>Text', "Text"],
    ["an image with a handler", "<img src=x onerror=alert(1)>", ""],
    ["a Markdown image", "![alt](https://e.com/i.png)", "<p></p>\n"],
    ["a javascript: link", "[x](javascript:alert(1))", `<p><a ${rel}>x</a></p>\n`],
    ["a javascript: link in capitals", "[x](JAVASCRIPT:alert(1))", `<p><a ${rel}>x</a></p>\n`],
    ["a javascript: link hidden by an entity", '<a href="jav&#x09;ascript:alert(1)">j</a>', `<p><a ${rel}>j</a></p>\n`],
    ["a data: link", "[x](data:text/html;base64,PHNjcmlwdD4=)", `<p><a ${rel}>x</a></p>\n`],
    ["a protocol-relative link", "[x](//evil.example)", `<p><a ${rel}>x</a></p>\n`],
    ["an onclick, the href kept", '<a href="https://e.com" onclick="x">e</a>', `<p><a href="https://e.com" ${rel}>e</a></p>\n`],
    ["an author's target and rel, replaced", '<a href="https://e.com" target="_self" rel="opener">e</a>', '<p><a href="https://e.com" target="_blank" rel="nofollow noopener noreferrer">e</a></p>\n'],
    ["style, class, id and data attributes", '<p style="color:red" class="x" id="y" data-z="1">s</p>', "<p>s</p>"],
    ["unlisted tags, their text kept", "<div><span>kept</span></div> <b>b</b> <u>u</u>", "kept b u"],
    ["a task list's checkbox", "- [x] done", "<ul>\n<li> done</li>\n</ul>\n"],
  ])("%s", (_name, source, expected) => {
    expect(renderMarkdown(source)).toBe(expected);
  });

  it.each<[string]>([
    ["<script>alert(1)</script>"],
    ["[x](javascript:alert(1))"],
    ["<img src=x onerror=alert(1)>"],
    ['<a href="https://e.com" onclick="alert(1)">e</a>'],
    ['<p onmouseover="alert(1)">p</p>'],
    ["[x](data:text/html,<script>alert(1)</script>)"],
  ])("leaves nothing executable of %s", (source) => {
    const html = renderMarkdown(source);
    expect(html).not.toMatch(/<script|<img|javascript:|data:|\son\w+=|alert\(1\)<\/script/i);
  });
});

describe("markdownToText", () => {
  it.each<[string, string, string]>([
    ["the example", "**Hi** <b>there</b> & you", "Hi there & you"],
    ["entities decoded once", "a &lt;b&gt; &amp;lt; &#65; &#x1F600; &bogus; &constructor;", "a <b> &lt; A 😀 &bogus; &constructor;"],
    ["quotes", `"quoted" and 'single'`, `"quoted" and 'single'`],
    ["line breaks and paragraphs", "one\ntwo\n\n\n\nthree", "one\ntwo\n\nthree"],
    ["headings", "# Title\nBody", "Title\n\nBody"],
    ["a bulleted list after text", "Affected:\n- API\n- Web\n\nMore soon.", "Affected:\n\n- API\n- Web\n\nMore soon."],
    ["a numbered list keeps its numbers", "3. three\n4. four", "3. three\n4. four"],
    ["nested lists indent", "- a\n  - b\n    - c\n- d", "- a\n  - b\n    - c\n- d"],
    ["a task list", "- [x] done\n- [ ] todo", "- done\n- todo"],
    ["a table", "| Region | Status |\n|--|--|\n| EU | ok |\n| US | down |", "Region | Status\nEU | ok\nUS | down"],
    ["a link keeps its URL", "See [the docs](https://e.com/a?b=1&c=2).", "See the docs (https://e.com/a?b=1&c=2)."],
    ["a bare URL is not repeated", "See https://e.com and www.e.com", "See https://e.com and www.e.com"],
    ["a mail link", "Write to [ops](mailto:ops@e.com) or ops@e.com", "Write to ops (ops@e.com) or ops@e.com"],
    ["a dropped javascript: link keeps its text", "[click](javascript:alert(1))", "click"],
    ["a code block keeps its lines", "```\nfirst\n  second\n```\nafter", "first\n  second\n\nafter"],
    ["a quote and a rule", "> quoted\n\n---\n\nend", "quoted\n\nend"],
    ["a script", "<script>alert(1)</script>ok", "ok"],
    ["blank only", "  \n\n \n", ""],
  ])("%s", (_name, source, expected) => {
    expect(markdownToText(source)).toBe(expected);
  });
});
