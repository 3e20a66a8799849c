// The real signal importers (src/signals) satisfy the API's SignalImporters port, and bad input
// through them surfaces as the catalogue's import error. Keeps deps.ts honest as both sides evolve.
import { describe, expect, it } from 'vitest';
import { isTenetError } from '../errors.js';
import { parseDevices } from '../signals/devices/index.js';
import { parseEntities } from '../signals/identity/index.js';
import { parseThreatIndicators } from '../signals/threat-intel/index.js';
import type { SignalImporters } from './deps.js';
import { httpStatusFor } from './errors.js';

const real: SignalImporters = { parseEntities, parseDevices, parseThreatIndicators };

describe('real signal importers behind the SignalImporters port', () => {
  it('parse what the admin API hands them', async () => {
    const entities = await real.parseEntities('[{"uid":{"type":"User","id":"alice"},"attrs":{},"parents":[]}]', 'PUT /admin/v1/entities');
    expect(entities[0]?.uid).toEqual({ type: 'User', id: 'alice' });
    const indicators = await real.parseThreatIndicators('203.0.113.9\n', { format: 'text', source: 'feed-a', category: 'botnet', now: new Date('2025-06-27T18:00:00Z') });
    expect(indicators[0]?.source).toBe('feed-a');
  });

  it('refuse bad input with an error the API maps to 422', async () => {
    let caught: unknown;
    try {
      await real.parseEntities('{"not":"an array"}', 'PUT /admin/v1/entities');
    } catch (error) {
      caught = error;
    }
    expect(isTenetError(caught) && httpStatusFor(caught.code)).toBe(422);
  });
});
