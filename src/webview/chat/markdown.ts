// Markdown for untrusted model output: marked parses, raw HTML in the text is shown as text (never
// parsed as markup), DOMPurify cleans the result as a second line of defence, and highlight.js core
// colours fenced code with a few registered languages (the full build would triple the bundle).
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { Marked } from 'marked';

const languages = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, python, rust, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The language of a fence's info string, if highlight.js knows it (aliases such as `ts`, `sh`, `html` included). */
export function fenceLanguage(info: string | undefined): string | undefined {
  const name = (info ?? '').trim().split(/\s+/)[0]?.toLowerCase();
  return name && hljs.getLanguage(name) ? name : undefined;
}

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  renderer: {
    // Raw HTML written by the model is shown as the text it is.
    html({ text }) {
      return escapeHtml(text);
    },
    // No images from model output: a remote image is a tracking pixel. Show what it pointed to instead.
    image({ href, text }) {
      return escapeHtml(`![${text}](${href})`);
    },
    code({ text, lang }) {
      const language = fenceLanguage(lang);
      const body = language ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
      const label = (lang ?? '').trim().split(/\s+/)[0] ?? '';
      return `<pre data-lang="${escapeHtml(label)}"><code class="hljs${language ? ` language-${language}` : ''}">${body}</code></pre>`;
    },
  },
});

const PURIFY_CONFIG = {
  RETURN_DOM_FRAGMENT: true as const,
  // Style attributes would be blocked by the CSP anyway; forms and media have no place in an answer.
  FORBID_TAGS: ['style', 'img', 'svg', 'math', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'video', 'audio'],
  FORBID_ATTR: ['style'],
};

/** Renders markdown into a sanitized fragment; code blocks get their Copy / Insert toolbar from `decorate`. */
export function renderMarkdown(source: string, decorate: (pre: HTMLPreElement) => void): DocumentFragment {
  const html = marked.parse(source) as string;
  const fragment = DOMPurify.sanitize(html, PURIFY_CONFIG);
  for (const pre of Array.from(fragment.querySelectorAll('pre'))) decorate(pre);
  return fragment;
}
