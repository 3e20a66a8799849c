// GET /.well-known/authzen-configuration (AuthZEN 1.0 §9): the PDP metadata document. Public by
// design: a PEP discovers the endpoints before it presents credentials, and the document holds
// nothing but URLs. `policy_decision_point` MUST equal the identifier the PEP derived the
// well-known URL from (§9.2.3), so it is the configured public base URL, never the Host header.
import type { FastifyInstance } from 'fastify';
import { TenetError } from '../../errors.js';
import { EVALUATION_PATH } from './evaluation.js';
import { EVALUATIONS_PATH } from './evaluations.js';

export const DISCOVERY_PATH = '/.well-known/authzen-configuration';

export interface PdpMetadata {
  readonly policy_decision_point: string;
  readonly access_evaluation_endpoint: string;
  readonly access_evaluations_endpoint: string;
}

/** Validates the configured base URL (§9.1.1: a URL without query or fragment) and drops a trailing slash. */
export function pdpIdentifier(publicBaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(publicBaseUrl);
  } catch {
    throw new TenetError('TENET_ERR_CONFIG_INVALID_BASE_URL', `Public base URL "${publicBaseUrl}" is not a URL.`, [
      { path: 'api.publicBaseUrl', message: 'not a URL', hint: 'e.g. https://pdp.example.com' },
    ]);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || publicBaseUrl.includes('?') || publicBaseUrl.includes('#')) {
    throw new TenetError('TENET_ERR_CONFIG_INVALID_BASE_URL', `Public base URL "${publicBaseUrl}" must be an http(s) URL without query or fragment.`, [
      { path: 'api.publicBaseUrl', message: 'must be https://host[:port][/path]', hint: 'AuthZEN 1.0 §9.1.1 requires https in production' },
    ]);
  }
  return publicBaseUrl.replace(/\/+$/, '');
}

export function pdpMetadata(identifier: string): PdpMetadata {
  return {
    policy_decision_point: identifier,
    access_evaluation_endpoint: `${identifier}${EVALUATION_PATH}`,
    access_evaluations_endpoint: `${identifier}${EVALUATIONS_PATH}`,
  };
}

export function registerDiscoveryRoute(app: FastifyInstance, identifier: string): void {
  const document = pdpMetadata(identifier);
  app.get(DISCOVERY_PATH, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return document;
  });
}
