import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueCertificate } from '../pki/issue-certificate.js';
import { createTestCa } from '../enforcement/proxy/testing/test-pki.js';
import { AgentState, defaultStateDir } from './agent-state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tenet-agent-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function certificateFor(publicKey: ReturnType<typeof generateKeyPairSync>['publicKey'], ca = createTestCa()): { certificatePem: string; caPem: string } {
  const certificatePem = issueCertificate({ subjectCn: 'dev-1', publicKey, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000), ca: false }, ca.issuer);
  return { certificatePem, caPem: ca.certPem };
}

describe('AgentState', () => {
  it('creates a P-256 device key readable by its owner only, in a 0700 directory', async () => {
    const state = new AgentState(join(dir, 'nested', 'tenet-agent'));
    const keys = await state.loadOrCreateKey();
    expect(keys.created).toBe(true);
    expect(keys.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect((await stat(state.path('key'))).mode & 0o777).toBe(0o600);
    expect((await stat(state.dir)).mode & 0o777).toBe(0o700);
  });

  it('creates the key exclusively: concurrent and later calls share the one key', async () => {
    const state = new AgentState(dir);
    const [a, b] = await Promise.all([state.loadOrCreateKey(), state.loadOrCreateKey()]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const again = await state.loadOrCreateKey();
    expect(again.created).toBe(false);
    const spki = (key: typeof a) => key.publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
    expect(new Set([spki(a), spki(b), spki(again)]).size).toBe(1);
  });

  it('refuses a key file that others can read', async () => {
    const state = new AgentState(dir);
    await state.loadOrCreateKey();
    await chmod(state.path('key'), 0o644);
    await expect(state.loadKey()).rejects.toMatchObject({ code: 'TENET_ERR_DEVICE_AGENT_KEY_EXPOSED', message: expect.stringMatching(/accessible to other users \(mode 644\)/) });
    await chmod(state.path('key'), 0o640);
    await expect(state.loadOrCreateKey()).rejects.toMatchObject({ code: 'TENET_ERR_DEVICE_AGENT_KEY_EXPOSED' });
  });

  it('refuses a key that is not P-256', async () => {
    const state = new AgentState(dir);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await writeFile(state.path('key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await expect(state.loadKey()).rejects.toMatchObject({ code: 'TENET_ERR_DEVICE_AGENT_STATE_INVALID' });
  });

  it('says "not enrolled" before enrollment, and round-trips an issued certificate after', async () => {
    const state = new AgentState(dir);
    await expect(state.requireEnrolled()).rejects.toMatchObject({ code: 'TENET_ERR_DEVICE_AGENT_NOT_ENROLLED' });
    const keys = await state.loadOrCreateKey();
    const issued = certificateFor(keys.publicKey);
    await state.saveIssued('https://tenet.example', { deviceId: 'dev-1', ...issued, renewAfter: '2030-01-01T00:00:00.000Z' });
    const enrolled = await state.requireEnrolled();
    expect(enrolled.config).toEqual({ server: 'https://tenet.example', deviceId: 'dev-1', renewAfter: '2030-01-01T00:00:00.000Z' });
    expect(enrolled.certificate.fingerprint256).toBe(new X509Certificate(issued.certificatePem).fingerprint256);
    expect((await stat(state.path('config'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(state.path('config'), 'utf8'))).toMatchObject({ deviceId: 'dev-1' });
  });

  it('refuses a certificate that does not certify the device key', async () => {
    const state = new AgentState(dir);
    await state.loadOrCreateKey();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await state.saveIssued('https://tenet.example', { deviceId: 'dev-1', ...certificateFor(other.publicKey), renewAfter: '2030-01-01T00:00:00Z' });
    await expect(state.requireEnrolled()).rejects.toMatchObject({ code: 'TENET_ERR_DEVICE_AGENT_STATE_INVALID', message: expect.stringMatching(/does not certify the device key/) });
  });

  it('refuses a malformed agent.json naming the problem', async () => {
    const state = new AgentState(dir);
    await writeFile(state.path('config'), JSON.stringify({ server: 'https://x', deviceId: '', renewAfter: 'soon' }));
    await expect(state.readConfig()).rejects.toMatchObject({ code: 'TENET_ERR_DEVICE_AGENT_STATE_INVALID', issues: expect.arrayContaining([expect.objectContaining({ path: 'renewAfter' })]) });
  });

  it('defaults to $XDG_CONFIG_HOME/tenet-agent, else ~/.config/tenet-agent', () => {
    expect(defaultStateDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/a')).toBe('/cfg/tenet-agent');
    expect(defaultStateDir({}, '/home/a')).toBe('/home/a/.config/tenet-agent');
    expect(defaultStateDir({ XDG_CONFIG_HOME: 'relative' }, '/home/a')).toBe('/home/a/.config/tenet-agent');
  });
});
