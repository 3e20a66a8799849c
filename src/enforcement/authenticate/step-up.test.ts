import { describe, expect, it } from 'vitest';
import { authenticationSchema } from '../../config/enforcement-schema.js';
import { parseStepUp, stepUpParameters, unmetStepUp } from './step-up.js';

const started = new Date('2026-05-01T12:00:00Z');
const at = (offsetSeconds: number): string => new Date(started.getTime() + offsetSeconds * 1000).toISOString();

describe('parseStepUp', () => {
  it('reads the step-up query', () => {
    expect(parseStepUp(new URLSearchParams(''))).toEqual({ stepUp: undefined });
    expect(parseStepUp(new URLSearchParams('step_up=1'))).toEqual({ stepUp: { maxAgeSeconds: 0, phishingResistant: false } });
    expect(parseStepUp(new URLSearchParams('step_up=1&max_age=300&phr=1'))).toEqual({ stepUp: { maxAgeSeconds: 300, phishingResistant: true } });
    expect(parseStepUp(new URLSearchParams('phr=1'))).toEqual({ stepUp: { maxAgeSeconds: 0, phishingResistant: true } });
  });
  it.each(['max_age=-1', 'max_age=1e3', 'max_age=', 'max_age=9999999999', 'step_up=yes', 'phr=true'])('refuses %s', (query) => {
    expect(parseStepUp(new URLSearchParams(query))).toHaveProperty('problem');
  });
});

describe('stepUpParameters', () => {
  const provider = authenticationSchema.parse({ providers: [{ id: 'p', issuer: 'https://idp.example', clientId: 'c', stepUpAcrValues: ['phr', 'phrh'] }] }).providers[0];
  it('sends max_age, prompt=login for 0, acr_values for phishing resistance', () => {
    if (provider === undefined) throw new Error('no provider');
    expect(stepUpParameters(provider, { maxAgeSeconds: 0, phishingResistant: true })).toEqual({ max_age: '0', prompt: 'login', acr_values: 'phr phrh' });
    expect(stepUpParameters(provider, { maxAgeSeconds: 600, phishingResistant: false })).toEqual({ max_age: '600' });
  });
});

describe('unmetStepUp', () => {
  const base = { methods: ['pwd'], phishingResistant: false };
  it('accepts an authentication within max_age of the step-up start (with 60 s leeway)', () => {
    expect(unmetStepUp({ maxAgeSeconds: 300, phishingResistant: false }, { ...base, authenticatedAt: at(-300) }, started)).toBeUndefined();
    expect(unmetStepUp({ maxAgeSeconds: 0, phishingResistant: false }, { ...base, authenticatedAt: at(20) }, started)).toBeUndefined();
    expect(unmetStepUp({ maxAgeSeconds: 0, phishingResistant: false }, { ...base, authenticatedAt: at(-60) }, started)).toBeUndefined();
  });
  it('refuses an older authentication, a missing auth_time, and a missing phishing-resistant method', () => {
    expect(unmetStepUp({ maxAgeSeconds: 0, phishingResistant: false }, { ...base, authenticatedAt: at(-61) }, started)).toMatch(/recent sign-in/);
    expect(unmetStepUp({ maxAgeSeconds: 300, phishingResistant: false }, { ...base, authenticatedAt: at(-361) }, started)).toMatch(/recent sign-in/);
    expect(unmetStepUp({ maxAgeSeconds: 300, phishingResistant: false }, base, started)).toMatch(/auth_time/);
    expect(unmetStepUp({ maxAgeSeconds: 300, phishingResistant: true }, { ...base, authenticatedAt: at(0) }, started)).toMatch(/phishing-resistant/);
    expect(unmetStepUp({ maxAgeSeconds: 300, phishingResistant: true }, { methods: ['hwk'], phishingResistant: true, authenticatedAt: at(0) }, started)).toBeUndefined();
  });
});
