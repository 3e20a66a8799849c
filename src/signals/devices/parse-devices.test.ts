// Tests for parseDevices: JSON and CSV inventories, per-row validation, all-or-nothing errors.
import { describe, expect, it } from 'vitest';
import type { TenetError } from '../../errors.js';
import { IMPORT_LIMITS } from '../limits.js';
import { parseDevices, type DeviceFileFormat } from './parse-devices.js';

const now = new Date('2025-03-01T12:00:00Z');

function failure(text: string, format: DeviceFileFormat): TenetError {
  try {
    parseDevices(text, format, 'mdm', { now, fileName: `devices.${format}` });
  } catch (error) {
    return error as TenetError;
  }
  throw new Error('expected parseDevices to throw');
}
const lines = (error: TenetError): string[] => error.issues.map((i) => `${i.path}: ${i.message}`);

describe('parseDevices (JSON)', () => {
  it('parses records with object and text owners, defaulting the posture source', () => {
    const text = JSON.stringify([
      { id: 'd1', owner: { type: 'User', id: 'alice' }, managed: true, status: 'active', posture: { facts: { os: 'macOS' }, compliant: true, observedAt: '2025-03-01T10:00:00Z' }, attributes: { serial: 'X' } },
      { id: 'd2', owner: 'App::User::"bob \\"the\\" builder"', managed: false, status: 'quarantined', posture: { facts: {}, observedAt: '2025-03-01T11:00:00+01:00', source: 'edr' } },
      { id: 'd3', managed: true, status: 'revoked' },
    ]);
    expect(parseDevices(text, 'json', 'mdm', { now })).toEqual([
      { id: 'd1', owner: { type: 'User', id: 'alice' }, managed: true, status: 'active', posture: { facts: { os: 'macOS' }, compliant: true, observedAt: '2025-03-01T10:00:00Z', source: 'mdm' }, attributes: { serial: 'X' } },
      { id: 'd2', owner: { type: 'App::User', id: 'bob "the" builder' }, managed: false, status: 'quarantined', posture: { facts: {}, observedAt: '2025-03-01T11:00:00+01:00', source: 'edr' } },
      { id: 'd3', managed: true, status: 'revoked' },
    ]);
  });

  it('reports every bad element with its path', () => {
    const text = JSON.stringify([
      { id: 'ok', managed: true, status: 'active' },
      { id: '', managed: 'yes', status: 'lost' },
      { id: 'b', owner: 'alice', managed: true, status: 'active' },
      { id: 'c', managed: true, status: 'active', posture: { facts: {}, observedAt: '2025-03-01 10:00' } },
      { id: 'd', managed: true, status: 'active', colour: 'red' },
    ]);
    const error = failure(text, 'json');
    expect(error.code).toBe('TENET_ERR_IMPORT_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual(['[1].id', '[1].managed', '[1].status', '[2].owner', '[3].posture.observedAt', '[4]']);
    expect(lines(error)[3]).toMatch(/"alice" is not an entity reference/);
  });

  it('rejects duplicate ids and future observations', () => {
    const text = JSON.stringify([
      { id: 'a', managed: true, status: 'active' },
      { id: 'a', managed: false, status: 'active' },
      { id: 'f', managed: true, status: 'active', posture: { facts: {}, observedAt: '2099-01-01T00:00:00Z' } },
      { id: 'skew', managed: true, status: 'active', posture: { facts: {}, observedAt: '2025-03-01T12:04:00Z' } },
    ]);
    expect(lines(failure(text, 'json'))).toEqual(['[1]: duplicate device id "a", first listed at [0]', '[2]: posture observedAt 2099-01-01T00:00:00Z is in the future']);
  });

  it('rejects malformed JSON and a non-array top level', () => {
    expect(failure('[{"id": ', 'json').issues[0]?.message).toMatch(/^not valid JSON/);
    expect(lines(failure('{"id": "a"}', 'json'))).toEqual(['(root): expected an array of devices']);
  });

  it('rejects an empty or oversized source name', () => {
    expect(() => parseDevices('[]', 'json', '')).toThrow(expect.objectContaining({ code: 'TENET_ERR_IMPORT_INVALID' }));
    expect(() => parseDevices('[]', 'json', 's'.repeat(IMPORT_LIMITS.maxIdLength + 1))).toThrow(expect.objectContaining({ code: 'TENET_ERR_IMPORT_INVALID' }));
  });
});

describe('parseDevices (CSV)', () => {
  it('parses rows, turning extra columns into posture facts', () => {
    const text = [
      'id,owner,managed,status,compliant,observed_at,os,osVersion,diskEncrypted',
      'd1,"User::""alice""",true,active,true,2025-03-01T10:00:00Z,macOS,14.10,true',
      'd2,,no,quarantined,,,,,',
      'd3,,1,active,,2025-03-01T09:00:00Z,,,false',
    ].join('\n');
    expect(parseDevices(text, 'csv', 'mdm-export', { now })).toEqual([
      {
        id: 'd1',
        owner: { type: 'User', id: 'alice' },
        managed: true,
        status: 'active',
        posture: { facts: { os: 'macOS', osVersion: '14.10', diskEncrypted: true }, compliant: true, observedAt: '2025-03-01T10:00:00Z', source: 'mdm-export' },
      },
      { id: 'd2', managed: false, status: 'quarantined' },
      { id: 'd3', managed: true, status: 'active', posture: { facts: { diskEncrypted: false }, observedAt: '2025-03-01T09:00:00Z', source: 'mdm-export' } },
    ]);
  });

  it('accepts a BOM, CRLF, blank lines, spaces and header case', () => {
    const text = '\uFEFFID, Managed ,STATUS\r\n\r\n d1 , TRUE , active \r\n';
    expect(parseDevices(text, 'csv', 'mdm', { now })).toEqual([{ id: 'd1', managed: true, status: 'active' }]);
  });

  it('reports every bad row with its line, and applies nothing', () => {
    const text = [
      'id,owner,managed,status,compliant,observed_at,os',
      'good,,true,active,,,',
      ',,maybe,lost,,,',
      'x,alice,true,active,perhaps,,',
      'y,,true,active,,yesterday,',
      'z,,true,active,,,linux',
      'short,true',
      'good,,true,active,,,',
    ].join('\n');
    expect(lines(failure(text, 'csv'))).toEqual([
      'devices.csv:3: column id: must not be empty',
      'devices.csv:3: column managed: expected true or false, got "maybe"',
      'devices.csv:3: column status: expected active, quarantined or revoked, got "lost"',
      'devices.csv:4: column owner: "alice" is not an entity reference; expected User::"alice"',
      'devices.csv:4: column compliant: expected true, false or empty, got "perhaps"',
      'devices.csv:4: column observed_at: required when the row has posture facts or compliant, since freshness is judged by it',
      'devices.csv:5: column observed_at: expected an ISO 8601 time with an offset (2025-03-01T10:00:00Z), got "yesterday"',
      'devices.csv:6: column observed_at: required when the row has posture facts or compliant, since freshness is judged by it',
      'devices.csv:7: expected 7 cells (id, owner, managed, status, compliant, observed_at, os), found 2',
      'devices.csv:8: duplicate device id "good", first listed at devices.csv:2',
    ]);
  });

  it('names missing required columns and duplicated header names', () => {
    expect(lines(failure('id,status\nd1,active\n', 'csv'))).toEqual(['devices.csv:1: missing required column "managed"']);
    expect(lines(failure('id,managed,status,os,OS\nd1,true,active,a,b\n', 'csv'))).toEqual(['devices.csv:1: the header names column "os" twice']);
    expect(lines(failure('', 'csv'))).toEqual(['devices.csv: the file is empty; a header row is required']);
  });

  it('reports unclosed quotes as a CSV syntax error', () => {
    expect(failure('id,managed,status\n"d1,true,active\n', 'csv').issues[0]?.message).toMatch(/^not valid CSV/);
  });

  it('does not treat a leading # as a comment in inventories', () => {
    expect(parseDevices('id,managed,status\n#7,true,active\n', 'csv', 'mdm', { now })).toEqual([{ id: '#7', managed: true, status: 'active' }]);
  });

  it('bounds oversized cells', () => {
    const text = `id,managed,status,observed_at,note\n${'i'.repeat(IMPORT_LIMITS.maxIdLength + 1)},true,active,2025-03-01T10:00:00Z,${'n'.repeat(IMPORT_LIMITS.maxStringLength + 1)}\n`;
    expect(lines(failure(text, 'csv'))).toEqual([
      `devices.csv:2: column id: at most ${IMPORT_LIMITS.maxIdLength} characters`,
      `devices.csv:2: column note: value of ${IMPORT_LIMITS.maxStringLength + 1} characters, over the limit of ${IMPORT_LIMITS.maxStringLength}`,
    ]);
  });
});

describe('the reserved agent source', () => {
  it('refuses an import that would report posture as the signed agent', () => {
    const json = JSON.stringify([{ id: 'd1', managed: true, status: 'active', posture: { facts: {}, observedAt: '2025-01-01T00:00:00Z' } }]);
    expect(() => parseDevices(json, 'json', 'agent')).toThrow(/reserved for reports signed by the Tenet agent/);
    const own = JSON.stringify([{ id: 'd1', managed: true, status: 'active', posture: { facts: {}, observedAt: '2025-01-01T00:00:00Z', source: 'agent' } }]);
    expect(() => parseDevices(own, 'json', 'mdm')).toThrow(/reserved/);
    expect(parseDevices(json, 'json', 'mdm')).toHaveLength(1);
  });
});
