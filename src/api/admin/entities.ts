// Entities (identity store and resources, Cedar entity JSON) under /admin/v1/entities. Imports are
// parsed by the signals importer and written in one transaction: all or nothing. Every write is
// followed by a signal refresh so the next decision sees it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TenetError } from '../../errors.js';
import { requireMediaType } from '../content-type.js';
import type { ApiDeps } from '../deps.js';
import { parseWith } from '../zod-issues.js';

const listQuery = z.object({ type: z.string().min(1).optional() });
const entityParams = z.object({ type: z.string().min(1), id: z.string().min(1) });

export function registerEntityRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, decisionPoint, importers } = deps;

  app.get('/entities', async (request) => {
    const query = parseWith(listQuery, request.query);
    if (!query.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_QUERY', 'Invalid query parameters.', query.issues);
    const all = await store.entities.list();
    const entities = query.data.type === undefined ? all : all.filter((entity) => entity.uid.type === query.data.type);
    return { count: entities.length, entities };
  });

  app.put('/entities', async (request) => {
    requireMediaType(request, ['application/json']);
    // The body was parsed (and screened for prototype keys) by the JSON parser; the importer takes text.
    const entities = await importers.parseEntities(JSON.stringify(request.body, null, 2), 'PUT /admin/v1/entities');
    await store.entities.upsertMany(entities);
    await decisionPoint.refreshSignals();
    // Any entity can change any decision (a group's members, a resource's attributes): all of them are re-checked.
    await deps.signalChanges?.publish({ kind: 'all', reason: `${entities.length} entities imported` });
    request.log.info({ count: entities.length, caller: request.caller?.name }, 'entities imported');
    return { imported: entities.length };
  });

  app.delete('/entities/:type/:id', async (request, reply) => {
    const params = parseWith(entityParams, request.params);
    if (!params.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_PATH', 'Invalid entity reference.', params.issues);
    const removed = await store.entities.remove([params.data]);
    if (removed === 0) {
      throw new TenetError('TENET_ERR_STORE_ENTITY_NOT_FOUND', `No entity ${params.data.type}::${JSON.stringify(params.data.id)}.`);
    }
    await decisionPoint.refreshSignals();
    await deps.signalChanges?.publish({ kind: 'all', reason: `entity ${params.data.type}::${JSON.stringify(params.data.id)} removed` });
    request.log.info({ entity: params.data, caller: request.caller?.name }, 'entity removed');
    return reply.code(204).send();
  });
}
