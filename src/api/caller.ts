// The authenticated API caller, attached to each request by the authentication hook and passed to
// the decision point as DecisionMeta.caller (so the decision log names who asked).
import type { ApiScope } from '../store/ports.js';

export interface ApiCaller {
  /** Token name, certificate subject, or `loopback` in auth mode `none`. Never a secret. */
  readonly name: string;
  readonly scopes: readonly ApiScope[];
  readonly via: 'token' | 'mtls' | 'none';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on protected routes; null on public ones. */
    caller: ApiCaller | null;
  }
}
