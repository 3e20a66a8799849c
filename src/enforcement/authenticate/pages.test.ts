import { describe, expect, it } from 'vitest';
import { escapeHtml, renderPage } from './pages.js';

describe('pages', () => {
  it('escape every dynamic value', () => {
    const hostile = `"><script>alert('x')</script>&\``;
    const html = renderPage(hostile, [{ text: hostile }, { link: { href: hostile, label: hostile } }, { links: [{ href: hostile, label: hostile }] }, { postForm: { action: hostile, button: hostile } }]);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain(hostile);
    expect(html).not.toContain("'x'");
    expect(html.match(/<script|<form|<a /g)).toEqual(['<a ', '<a ', '<form']);
    expect(escapeHtml(`<>&"'\``)).toBe('&#60;&#62;&#38;&#34;&#39;&#96;');
  });
});
