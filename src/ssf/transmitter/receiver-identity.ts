// Which receiver is calling the stream management and poll endpoints: the identity every stream is
// owned by (SSF 1.0 §8: authorization associates a receiver with its streams). For a bearer token
// it is the token's SHA-256 (what the store keeps anyway), so two tokens never share streams even
// with the same name; for mTLS the certificate identity; `loopback` when API auth is off.
import type { FastifyRequest } from 'fastify';
import { sha256Hex } from '../../api/auth-token.js';
import { TenetError } from '../../errors.js';

export function receiverIdentity(request: FastifyRequest): string {
  const caller = request.caller;
  if (caller === null) throw new TenetError('TENET_ERR_AUTH_MISSING_CREDENTIALS', 'Authentication required.');
  switch (caller.via) {
    case 'token': {
      const token = /^Bearer +(\S+)$/i.exec(request.headers.authorization?.trim() ?? '')?.[1];
      if (token === undefined) throw new TenetError('TENET_ERR_AUTH_INVALID_TOKEN', 'Authorization header is not a Bearer token.');
      return `token:${sha256Hex(token)}`;
    }
    case 'mtls':
      return `mtls:${caller.name}`;
    case 'none':
      return 'loopback';
  }
}
