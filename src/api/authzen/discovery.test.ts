// Tests for GET /.well-known/authzen-configuration (AuthZEN 1.0 §9).
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../testing/test-app.js';
import { pdpIdentifier } from './discovery.js';

describe('PDP metadata', () => {
  it('is public, JSON, and names the PDP identifier and both evaluation endpoints', async () => {
    const { app } = await buildTestApp();
    const response = await app.inject({ method: 'GET', url: '/.well-known/authzen-configuration' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      policy_decision_point: 'https://pdp.example.com',
      access_evaluation_endpoint: 'https://pdp.example.com/access/v1/evaluation',
      access_evaluations_endpoint: 'https://pdp.example.com/access/v1/evaluations',
    });
    await app.close();
  });

  it('refuses base URLs with a query or fragment, or a non-http scheme', () => {
    expect(pdpIdentifier('https://pdp.example.com/tenant1/')).toBe('https://pdp.example.com/tenant1');
    for (const bad of ['https://pdp.example.com/?x=1', 'https://pdp.example.com/#f', 'ftp://pdp.example.com', 'pdp.example.com']) {
      expect(() => pdpIdentifier(bad)).toThrow(/base URL/);
    }
  });
});
