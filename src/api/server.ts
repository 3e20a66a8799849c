// Builds (does not start) Tenet's HTTP API: the AuthZEN PDP endpoints, the admin API, health,
// discovery and metrics, on fastify 5. The composition root listens, with TLS/mTLS as configured.
//
//   route                                  auth scope   file
//   GET  /.well-known/authzen-configuration  public    authzen/discovery.ts
//   POST /access/v1/evaluation               pdp       authzen/evaluation.ts
//   POST /access/v1/evaluations              pdp       authzen/evaluations.ts
//   GET  /health                             public    health.ts
//   GET  /metrics                            admin     metrics-route.ts
//   *    /admin/v1/*                         admin     admin/*.ts
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { TenetError } from '../errors.js';
import { adminRoutes, ADMIN_PREFIX } from './admin/routes.js';
import { checkStaticTokens } from './auth-token.js';
import { pdpIdentifier, registerDiscoveryRoute } from './authzen/discovery.js';
import { authzenRoutes } from './authzen/routes.js';
import './caller.js';
import type { ApiDeps } from './deps.js';
import { installErrorHandling } from './errors.js';
import { registerHealthRoute } from './health.js';
import { useJsonBodyParser } from './json-body.js';
import { createApiMetrics, type ApiMetrics } from './metrics.js';
import { metricsRoutes } from './metrics-route.js';
import { REQUEST_ID_HEADER, echoRequestId, newRequestId } from './request-id.js';

/** Header values that must never reach a log line, whatever a serializer or debug statement does. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
];

/** The API's logger: a child of the process logger with secrets redacted and requests logged without headers. */
function apiLogger(logger: Logger): Logger {
  return logger.child(
    { component: 'api' },
    {
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (request: { method?: string; url?: string; socket?: { remoteAddress?: string } }) => ({
          method: request.method,
          // The query string is dropped: it is the one place a careless client might put a secret.
          url: request.url?.split('?')[0],
          remoteAddress: request.socket?.remoteAddress,
        }),
      },
    },
  );
}

/** Fails fast on settings that would otherwise surface as confusing runtime behaviour. */
function checkDeps(deps: ApiDeps): string {
  if (!Number.isInteger(deps.limits.bodyBytes) || deps.limits.bodyBytes < 1024) {
    throw new TenetError('TENET_ERR_CONFIG_INVALID_LIMIT', 'api.limits.bodyBytes must be an integer of at least 1024.');
  }
  if (!Number.isInteger(deps.limits.maxEvaluations) || deps.limits.maxEvaluations < 1) {
    throw new TenetError('TENET_ERR_CONFIG_INVALID_LIMIT', 'api.limits.maxEvaluations must be a positive integer.');
  }
  if (deps.auth.mode === 'token') checkStaticTokens(deps.auth.staticTokens);
  if (deps.auth.mode === 'mtls' && deps.tls?.ca === undefined) {
    throw new TenetError('TENET_ERR_CONFIG_MTLS_WITHOUT_CA', 'api.auth.mode "mtls" needs api.tls with a client CA (api.tls.ca).');
  }
  return pdpIdentifier(deps.publicBaseUrl);
}

function recordLatency(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.requestDuration.observe(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

export async function buildApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const identifier = checkDeps(deps);
  const metrics = createApiMetrics(deps.metricsRegistry);

  const options = {
    // pino's Logger is a FastifyBaseLogger at runtime; the cast only bridges the two packages' typings.
    loggerInstance: apiLogger(deps.logger) as FastifyBaseLogger,
    bodyLimit: deps.limits.bodyBytes,
    requestIdHeader: REQUEST_ID_HEADER,
    genReqId: newRequestId,
    return503OnClosing: true,
  };
  const tls = deps.tls;
  // The HTTPS instance differs from the HTTP one only in its raw server type; routes and hooks
  // are identical, so both are handled as the default FastifyInstance.
  const app = (
    tls === undefined
      ? Fastify(options)
      : Fastify({
          ...options,
          https: {
            key: tls.key,
            cert: tls.cert,
            ...(tls.ca === undefined ? {} : { ca: tls.ca, requestCert: true, rejectUnauthorized: false }),
            minVersion: 'TLSv1.2' as const,
          },
        })
  ) as unknown as FastifyInstance;
  app.decorateRequest('caller', null);
  useJsonBodyParser(app);
  installErrorHandling(app, metrics);
  echoRequestId(app);
  recordLatency(app, metrics);

  registerDiscoveryRoute(app, identifier);
  registerHealthRoute(app, deps.store);
  await app.register(authzenRoutes, { deps, metrics });
  await app.register(adminRoutes, { deps, prefix: ADMIN_PREFIX });
  await app.register(metricsRoutes, { deps, metrics });
  return app;
}
