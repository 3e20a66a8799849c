// The small HTML pages the login endpoints show (provider choice, errors, logout confirmation,
// signed out). INVARIANT: every dynamic value passes through escapeHtml; pages carry no script and
// are served with a CSP that forbids any (http-answers.ts).

import { escapeHtml } from '../access/render-verdict.js';

export { escapeHtml };

export interface PageLink {
  readonly href: string;
  readonly label: string;
}

/** A paragraph of text, a link, a list of links, or a form with one submit button; all text is escaped. */
export type PageBlock =
  | { readonly text: string }
  | { readonly link: PageLink }
  | { readonly links: readonly PageLink[] }
  | { readonly postForm: { readonly action: string; readonly button: string } }
  /** A GET form with one text field (e.g. a code the user types). */
  | { readonly getForm: { readonly action: string; readonly field: string; readonly label: string; readonly button: string } };

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1b1b1b}' +
  'h1{font-size:1.4rem}a,button{font-size:1rem}button{padding:.4rem 1rem}li{margin:.4rem 0}';

/** A complete HTML document with a title and blocks. */
export function renderPage(title: string, blocks: readonly PageBlock[]): string {
  const body = blocks.map(renderBlock).join('\n');
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n` +
    `<body><h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`
  );
}

function renderBlock(block: PageBlock): string {
  if ('text' in block) return `<p>${escapeHtml(block.text)}</p>`;
  if ('link' in block) return `<p>${renderLink(block.link)}</p>`;
  if ('links' in block) return `<ul>${block.links.map((link) => `<li>${renderLink(link)}</li>`).join('')}</ul>`;
  if ('getForm' in block) {
    const form = block.getForm;
    return (
      `<form method="get" action="${escapeHtml(form.action)}"><label>${escapeHtml(form.label)} ` +
      `<input name="${escapeHtml(form.field)}" autocomplete="off" autofocus></label> <button type="submit">${escapeHtml(form.button)}</button></form>`
    );
  }
  return (
    `<form method="post" action="${escapeHtml(block.postForm.action)}">` +
    `<button type="submit">${escapeHtml(block.postForm.button)}</button></form>`
  );
}

function renderLink(link: PageLink): string {
  return `<a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a>`;
}
