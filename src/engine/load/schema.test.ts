import { isAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { actionEntities } from './schema.js';

// A namespaced action whose group is declared only in the empty namespace.
const schema = {
  '': { entityTypes: {}, actions: { g: {} } },
  N: {
    entityTypes: { User: {}, Doc: {} },
    actions: {
      local: {},
      read: { memberOf: [{ id: 'g' }, { id: 'local' }], appliesTo: { principalTypes: ['User'], resourceTypes: ['Doc'] } },
    },
  },
};

describe('actionEntities', () => {
  it('resolves an unqualified action group in the action\'s namespace first, then the empty namespace (as Cedar does)', () => {
    const read = actionEntities(schema as never).get('N::Action::"read"');
    expect(read?.parents).toEqual([
      { type: 'Action', id: 'g' },
      { type: 'N::Action', id: 'local' },
    ]);
    // The reference agrees: a policy on the global group applies to the namespaced action.
    const answer = isAuthorized({
      principal: { type: 'N::User', id: 'u' },
      action: { type: 'N::Action', id: 'read' },
      resource: { type: 'N::Doc', id: 'd' },
      context: {},
      schema,
      validateRequest: true,
      policies: { staticPolicies: 'permit (principal, action in Action::"g", resource);' },
      entities: [],
    });
    expect(answer.type === 'success' && answer.response.decision).toBe('allow');
  });
});
