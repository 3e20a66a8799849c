import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TenetError } from '../errors.js';
import { createCertificationRequest, readCertificationRequest } from './certification-request.js';
import { readPemBlocks, toPem } from './pem.js';

const dir = mkdtempSync(join(tmpdir(), 'tenet-csr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A CSR made by `openssl req -new` for a fresh key of the given `-newkey` kind. */
function opensslRequest(name: string, newkey: string[], cn = 'laptop-7'): string {
  openssl('req', '-new', ...newkey, '-nodes', '-keyout', `${name}.key`, '-subj', `/O=Example/CN=${cn}`, '-out', `${name}.csr`);
  return readFileSync(join(dir, `${name}.csr`), 'utf8');
}

function expectInvalid(pem: string, message: RegExp): void {
  let caught: unknown;
  try {
    readCertificationRequest(pem);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TenetError);
  expect((caught as TenetError).code).toBe('TENET_ERR_DEVICE_CSR_INVALID');
  expect((caught as TenetError).message).toMatch(message);
}

/** Re-wraps the DER after `change` edits it. */
function tampered(pem: string, change: (der: Buffer) => void): string {
  const der = Buffer.from(readPemBlocks(pem)?.[0]?.der ?? Buffer.alloc(0));
  change(der);
  return toPem('CERTIFICATE REQUEST', der);
}

describe('createCertificationRequest / readCertificationRequest', () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ours = createCertificationRequest(keys, 'device-laptop');

  it('round-trips the key and subject CN', () => {
    const read = readCertificationRequest(ours);
    expect(read.subjectCn).toBe('device-laptop');
    expect(read.publicKey.export({ type: 'spki', format: 'der' })).toEqual(keys.publicKey.export({ type: 'spki', format: 'der' }));
  });

  it('makes requests that openssl verifies', () => {
    writeFileSync(join(dir, 'ours.csr'), ours);
    const text = execFileSync('openssl', ['req', '-in', 'ours.csr', '-verify', '-noout', '-text'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(text).toMatch(/CN\s*=\s*device-laptop/);
    expect(text).toMatch(/ecdsa-with-SHA256/);
    expect(text).toMatch(/prime256v1|P-256/);
  });

  it('accepts a P-256 request made by openssl req -new', () => {
    const pem = opensslRequest('p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const read = readCertificationRequest(pem);
    expect(read.subjectCn).toBe('laptop-7');
    const expected = openssl('pkey', '-in', 'p256.key', '-pubout');
    expect(read.publicKey.export({ type: 'spki', format: 'pem' })).toBe(expected);
  });

  it('refuses a request whose signature byte was changed (no proof of possession)', () => {
    expectInvalid(tampered(ours, (der) => (der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01)), /signature does not verify/);
  });

  it('refuses a request whose signed content was changed after signing', () => {
    const pem = tampered(ours, (der) => {
      const at = der.indexOf(Buffer.from('device-laptop'));
      der[at] = 'D'.charCodeAt(0);
    });
    expectInvalid(pem, /signature does not verify/);
  });

  it('refuses an RSA key', () => {
    expectInvalid(opensslRequest('rsa', ['-newkey', 'rsa:2048']), /must be EC P-256 \(got rsa\)/);
  });

  it('refuses a P-384 key', () => {
    expectInvalid(opensslRequest('p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']), /must be EC P-256 \(got ec secp384r1\)/);
  });

  it('refuses garbage, DER that does not parse, and trailing data', () => {
    expectInvalid('hello', /exactly one PEM/);
    expectInvalid(toPem('CERTIFICATE REQUEST', Buffer.from('not a request at all')), /not valid DER/);
    const der = readPemBlocks(ours)?.[0]?.der ?? Buffer.alloc(0);
    expectInvalid(toPem('CERTIFICATE REQUEST', Buffer.concat([der, Buffer.from([0x05, 0x00])])), /DER/);
  });

  it('refuses two PEM blocks, another label, and text around the block', () => {
    expectInvalid(`${ours}${ours}`, /exactly one PEM/);
    expectInvalid(ours.replaceAll('CERTIFICATE REQUEST', 'CERTIFICATE'), /exactly one PEM/);
    expectInvalid(`Subject: laptop\n${ours}`, /exactly one PEM/);
  });

  it('refuses anything over 16 KiB', () => {
    expectInvalid(`${ours}${' '.repeat(16 * 1024)}`, /larger than 16384 bytes/);
  });
});
