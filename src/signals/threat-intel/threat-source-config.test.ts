// Tests for the `signals.threatIntel[]` config block: file or url (exactly one), https unless
// allowed, no credentials in the URL, header secrets only from file/env, and refresh durations.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';

function issues(feed: Record<string, unknown>): string[] {
  const result = configSchema.safeParse({ policies: 'policies', signals: { threatIntel: [{ source: 'f', ...feed }] } });
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.slice(3).join('.') || '(feed)'}: ${issue.message}`);
}

describe('signals.threatIntel config', () => {
  it('accepts a file feed and an https feed with header secrets, with defaults', () => {
    expect(issues({ file: 'list.txt' })).toEqual([]);
    expect(issues({ url: 'https://cti.example/feed.json', refresh: '15m', headers: { 'X-Api-Key': { env: 'KEY' }, Authorization: { file: 'token' } } })).toEqual([]);
    const parsed = configSchema.parse({ policies: 'p', signals: { threatIntel: [{ source: 'f', url: 'https://cti.example/x' }] } });
    expect(parsed.signals.threatIntel[0]).toEqual({ source: 'f', url: 'https://cti.example/x', allowInsecureHttp: false, category: 'malicious', timeout: '30s', maxBytes: 32 * 1024 * 1024 });
  });

  it('refuses what would be unsafe or ambiguous', () => {
    expect(issues({})).toEqual(['(feed): give exactly one of file or url']);
    expect(issues({ file: 'a', url: 'https://x.example/' })).toEqual(['(feed): give exactly one of file or url']);
    expect(issues({ url: 'http://x.example/' })).toEqual(['url: must be https (http: given); set allowInsecureHttp: true to accept http']);
    expect(issues({ url: 'http://x.example/', allowInsecureHttp: true })).toEqual([]);
    expect(issues({ url: 'ftp://x.example/', allowInsecureHttp: true })).toEqual(['url: must be https (ftp: given)']);
    expect(issues({ url: 'https://user:pw@x.example/' })).toEqual(['url: must not contain credentials; use headers with a file or env value']);
    expect(issues({ url: 'not a url' })).toEqual(['url: is not a URL']);
    expect(issues({ file: 'a', headers: { 'X-Key': { env: 'K' } } })).toEqual(['headers: headers apply to url feeds only']);
    expect(issues({ url: 'https://x.example/', headers: { 'X-Key': { env: 'K', file: 'f' } } })).toEqual(['headers.X-Key: give exactly one of file or env']);
    expect(issues({ url: 'https://x.example/', headers: { 'Bad Name': { env: 'K' } } })).toEqual(['headers.Bad Name: must be an HTTP header name']);
    expect(issues({ url: 'https://x.example/', headers: { 'X-Key': 'inline-secret' } })).toHaveLength(1);
    expect(issues({ file: 'a', refresh: '0s' })).toEqual(['refresh: expected a duration such as "15m", "1h" or "1d"']);
    expect(issues({ file: 'a', format: 'misp' })).toHaveLength(1);
  });
});
