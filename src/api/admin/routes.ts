// The admin API (/admin/v1/*) as one encapsulated plugin: callers need the `admin` scope; bodies
// may be JSON, CSV or plain text (imports), each route checking the media types it accepts.
import type { FastifyInstance } from 'fastify';
import { requireScope } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { registerDecisionRoutes } from './decisions.js';
import { registerDeviceEnrollmentRoutes } from './device-enrollments.js';
import { registerDeviceRoutes } from './devices.js';
import { registerEntityRoutes } from './entities.js';
import { registerIndicatorRoutes } from './indicators.js';
import { registerPolicyRoutes } from './policies.js';
import { registerReloadRoute } from './reload.js';
import { registerSessionRoutes } from './sessions.js';

export const ADMIN_PREFIX = '/admin/v1';

export async function adminRoutes(app: FastifyInstance, { deps }: { readonly deps: ApiDeps }): Promise<void> {
  app.addHook('onRequest', requireScope('admin', deps.auth, deps.store));
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  // STIX 2.1 bundles (application/stix+json;version=2.1) are parsed by the threat importer, which
  // reports what it skipped; the body reaches it as text.
  app.addContentTypeParser('application/stix+json', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  registerReloadRoute(app, deps.decisionPoint, deps.signalChanges);
  registerEntityRoutes(app, deps);
  registerDeviceRoutes(app, deps);
  registerDeviceEnrollmentRoutes(app, deps);
  registerIndicatorRoutes(app, deps);
  registerDecisionRoutes(app, deps.store);
  registerSessionRoutes(app, deps);
  registerPolicyRoutes(app, deps.decisionPoint, deps.policies);
}
