import { describe, expect, it } from 'vitest';
import { isTenetError, type TenetError } from '../errors.js';
import { loadPolicySet } from './load-policy-set.js';
import type { PolicySource } from './policy-set.js';

function loadError(source: PolicySource): TenetError {
  try {
    loadPolicySet(source);
  } catch (error) {
    if (isTenetError(error)) return error;
    throw error;
  }
  throw new Error('expected loadPolicySet to throw');
}

const SCHEMA = { file: 'app.cedarschema', format: 'cedar' as const, text: 'entity User;\nentity App;\naction "read" appliesTo { principal: User, resource: App, context: TenetContext };\n' };

describe('loadPolicySet', () => {
  it('names policies by @id, else by default id in text order across files', () => {
    const set = loadPolicySet({
      policies: [
        { file: 'a.cedar', text: 'permit(principal, action, resource);\n@id("named") forbid(principal, action, resource);\n' },
        { file: 'b.cedar', text: Array.from({ length: 11 }, (_, i) => `permit(principal == User::"u${i}", action, resource);`).join('\n') },
      ],
    });
    expect(set.ids.slice(0, 4)).toEqual(['policy0', 'named', 'policy2', 'policy3']);
    expect(set.ids).toHaveLength(13);
    expect(set.policies.get('policy12')?.text).toContain('User::"u10"');
    expect(set.policies.get('policy12')?.location).toBe('b.cedar:11:1');
    expect(set.total).toBe(13);
  });

  it('reports a syntax error in every file, with file:line:col', () => {
    const error = loadError({
      policies: [
        { file: 'ok.cedar', text: 'permit(principal, action, resource);' },
        { file: 'bad1.cedar', text: '// header\npermit(principal action, resource);' },
        { file: 'bad2.cedar', text: 'permit(principal, action, resource)\nwhen { context.x = 1 };' },
      ],
    });
    expect(error.code).toBe('TENET_ERR_POLICY_INVALID');
    expect(error.issues.map((issue) => issue.path)).toEqual(['bad1.cedar:2:18', expect.stringMatching(/^bad2\.cedar:2:\d+$/)]);
  });

  it('reports every validation error against the schema merged with Tenet context', () => {
    const error = loadError({
      policies: [{ file: 'p.cedar', text: 'permit(principal, action == Action::"read", resource)\n  when { context.device.compliant && context.nope };\npermit(principal, action == Action::"read", resource) when { context.risk.score };' }],
      schema: SCHEMA,
    });
    expect(error.issues).toHaveLength(2);
    expect(error.issues[0]).toMatchObject({ path: 'p.cedar:2:38', message: expect.stringContaining('nope') });
    expect(error.issues[1]?.path).toMatch(/^p\.cedar:3:\d+$/);
  });

  it('accepts policies that use every part of the Tenet context', () => {
    const set = loadPolicySet({
      policies: [{ file: 'p.cedar', text: `permit(principal, action == Action::"read", resource) when {
        context.risk.score < 50 && context.risk.level == "low" && !context.risk.factors.contains("device-revoked") &&
        context.device.known && context.device.managed && context.device.compliant && context.device.postureFresh &&
        context.device.postureAgeSeconds < 3600 && context.device.status == "active" && context.device.ownedBySubject && context.device.id != "" &&
        context.authn.authenticated && context.authn.mfa && context.authn.phishingResistant && context.authn.ageSeconds < 300 &&
        context.authn.methods.contains("webauthn") && context.authn.acr == "" &&
        context.network.ipKnown && !context.network.ip.isInRange(ip("10.0.0.0/8")) && !context.network.threatListed && context.network.threats.isEmpty() &&
        context.request.method == "GET" && context.request.path like "/api/*" && context.request.userAgent != "" && context.request.hour < 18 && context.request.dayOfWeek > 0 };` }],
      schema: SCHEMA,
    });
    expect(set.validated).toBe(true);
  });

  it('merges Tenet context into a JSON schema too', () => {
    const json = JSON.stringify({ '': { entityTypes: { User: {}, App: {} }, actions: { read: { appliesTo: { principalTypes: ['User'], resourceTypes: ['App'], context: { type: 'TenetContext' } } } } } });
    const ok = loadPolicySet({ policies: [{ file: 'p.cedar', text: 'permit(principal, action, resource) when { context.device.known };' }], schema: { file: 's.json', text: json, format: 'json' } });
    expect(ok.validated).toBe(true);
    const error = loadError({ policies: [{ file: 'p.cedar', text: 'permit(principal, action, resource) when { context.device.unknownField };' }], schema: { file: 's.json', text: json, format: 'json' } });
    expect(error.issues).toHaveLength(1);
  });

  it('rejects a user schema that declares one of Tenet types', () => {
    const error = loadError({ policies: [], schema: { ...SCHEMA, text: `${SCHEMA.text}type TenetRisk = { x: Long };` } });
    expect(error.issues[0]?.path).toBe('app.cedarschema:4:6');
    expect(error.issues[0]?.message).toContain('TenetRisk');
  });

  it('rejects duplicate ids, naming both places', () => {
    const error = loadError({
      policies: [
        { file: 'a.cedar', text: '@id("x") permit(principal, action, resource);' },
        { file: 'b.cedar', text: '\n@id("x") forbid(principal, action, resource);' },
      ],
    });
    expect(error.issues).toEqual([expect.objectContaining({ path: 'b.cedar:2:1', message: 'duplicate policy id "x" (first defined at a.cedar:1:1)' })]);
  });

  it('versions by meaning: reformatting keeps the version, a change of meaning changes it', () => {
    const v = (text: string) => loadPolicySet({ policies: [{ file: 'p.cedar', text }] }).version;
    const base = v('permit(principal, action, resource) when { context.device.known };');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(v('// comment\npermit (\n  principal,\n  action,\n  resource\n) when { context.device.known };')).toBe(base);
    expect(v('permit(principal, action, resource) when { context.device.managed };')).not.toBe(base);
  });

  it('keeps two loaded sets usable side by side (atomic reload)', () => {
    const first = loadPolicySet({ policies: [{ file: 'p.cedar', text: '@id("a") permit(principal, action, resource);' }] });
    const second = loadPolicySet({ policies: [{ file: 'p.cedar', text: '@id("a") forbid(principal, action, resource);' }] });
    const call = { principal: { type: 'User', id: 'u' }, action: { type: 'Action', id: 'read' }, resource: { type: 'App', id: 'x' }, context: {}, entities: [], policyIds: ['a'] };
    expect(first.evaluator.evaluate(call).decision).toBe('allow');
    expect(second.evaluator.evaluate(call).decision).toBe('deny');
    expect(first.evaluator.evaluate(call).decision).toBe('allow');
  });
});
