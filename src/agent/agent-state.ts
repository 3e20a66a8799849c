// The agent's state directory: the device key (device-key.pem, P-256, 0600, created with an
// exclusive create so two agents never both write one), the device certificate and its CA, the
// server's TLS trust anchor if one was given at enrollment, and agent.json { server, deviceId,
// renewAfter }. The key never leaves this directory; a key file that other users can read is
// refused, since whoever reads it can sign posture reports as this device.
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { TenetError } from '../errors.js';

export const STATE_FILES = {
  key: 'device-key.pem',
  certificate: 'device-cert.pem',
  ca: 'ca.pem',
  serverCa: 'server-ca.pem',
  config: 'agent.json',
} as const;

const agentConfigSchema = z.strictObject({
  server: z.string().url(),
  deviceId: z.string().min(1),
  renewAfter: z.string().datetime({ offset: true }),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export interface DeviceKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface EnrolledState {
  readonly config: AgentConfig;
  readonly keys: DeviceKeys;
  readonly certificatePem: string;
  readonly certificate: X509Certificate;
  readonly caPem: string;
  readonly serverCaPem?: string;
}

/** `$XDG_CONFIG_HOME/tenet-agent`, or `~/.config/tenet-agent` (XDG Base Directory spec: a relative XDG_CONFIG_HOME is ignored). */
export function defaultStateDir(env: Readonly<Record<string, string | undefined>> = process.env, home: string = homedir()): string {
  const configHome = env.XDG_CONFIG_HOME;
  return join(configHome !== undefined && configHome.startsWith('/') ? configHome : join(home, '.config'), 'tenet-agent');
}

export class AgentState {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  path(file: keyof typeof STATE_FILES): string {
    return join(this.dir, STATE_FILES[file]);
  }

  /**
   * The device key: created (P-256, 0600, exclusive create) when there is none, otherwise read —
   * so an enrollment that was interrupted resumes with the same key.
   */
  async loadOrCreateKey(): Promise<DeviceKeys & { readonly created: boolean }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let handle;
    try {
      handle = await open(this.path('key'), 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { ...(await this.loadKey()), created: false };
      throw unreadable(this.path('key'), error);
    }
    try {
      await handle.writeFile(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { privateKey, publicKey, created: true };
  }

  async loadKey(): Promise<DeviceKeys> {
    const path = this.path('key');
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw unreadable(path, error);
    }
    if ((info.mode & 0o077) !== 0) {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_KEY_EXPOSED', `the device key ${path} is accessible to other users (mode ${(info.mode & 0o777).toString(8)}); refusing to use it`, [
        { path, message: 'must be readable by its owner only', hint: `chmod 600 ${path}, and re-enroll if others may have read it` },
      ]);
    }
    const uid = process.getuid?.();
    if (uid !== undefined && info.uid !== uid) {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_KEY_EXPOSED', `the device key ${path} belongs to uid ${info.uid}, not to this user (uid ${uid}); refusing to use it`, [{ path, message: 'must be owned by the user running the agent' }]);
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(await readFile(path, 'utf8'));
    } catch (error) {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_STATE_INVALID', `the device key ${path} is not a readable private key`, [{ path, message: (error as Error).message, hint: 'remove the state directory and enroll again' }]);
    }
    if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_STATE_INVALID', `the device key ${path} is not an EC P-256 key`, [{ path, message: 'device keys are ECDSA P-256' }]);
    }
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }

  async readConfig(): Promise<AgentConfig | undefined> {
    const path = this.path('config');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw unreadable(path, error);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_STATE_INVALID', `${path} is not JSON`);
    }
    const parsed = agentConfigSchema.safeParse(json);
    if (!parsed.success) {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_STATE_INVALID', `${path} is not a valid agent state`, parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message })));
    }
    return parsed.data;
  }

  /** Everything a report or renewal needs; a clear error when the device was never enrolled here. */
  async requireEnrolled(): Promise<EnrolledState> {
    const config = await this.readConfig();
    if (config === undefined) {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_NOT_ENROLLED', `this device is not enrolled (no ${this.path('config')})`, [{ path: this.dir, message: 'no agent state', hint: 'run `tenet agent enroll --server URL` first' }]);
    }
    const keys = await this.loadKey();
    const certificatePem = await this.#read('certificate');
    const caPem = await this.#read('ca');
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(certificatePem);
    } catch (error) {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_STATE_INVALID', `${this.path('certificate')} is not a certificate`, [{ path: this.path('certificate'), message: (error as Error).message }]);
    }
    if (!certificate.checkPrivateKey(keys.privateKey)) {
      throw new TenetError('TENET_ERR_DEVICE_AGENT_STATE_INVALID', `${this.path('certificate')} does not certify the device key`, [{ path: this.dir, message: 'key and certificate do not match', hint: 'remove the state directory and enroll again' }]);
    }
    const serverCaPem = await this.readServerCa();
    return { config, keys, certificatePem, certificate, caPem, ...(serverCaPem === undefined ? {} : { serverCaPem }) };
  }

  async readServerCa(): Promise<string | undefined> {
    try {
      return await readFile(this.path('serverCa'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw unreadable(this.path('serverCa'), error);
    }
  }

  async saveServerCa(pem: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeAtomically(this.path('serverCa'), pem, 0o644);
  }

  /**
   * Keeps a newly issued certificate: certificate and CA first, agent.json last, each replaced
   * atomically, so a crash leaves either the old state or the new one's files plus the old
   * renewAfter (which only makes the agent renew early).
   */
  async saveIssued(server: string, issued: { readonly deviceId: string; readonly certificatePem: string; readonly caPem: string; readonly renewAfter: string }): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeAtomically(this.path('certificate'), issued.certificatePem, 0o644);
    await writeAtomically(this.path('ca'), issued.caPem, 0o644);
    const config: AgentConfig = agentConfigSchema.parse({ server, deviceId: issued.deviceId, renewAfter: issued.renewAfter });
    await writeAtomically(this.path('config'), `${JSON.stringify(config, null, 2)}\n`, 0o600);
  }

  async #read(file: 'certificate' | 'ca'): Promise<string> {
    try {
      return await readFile(this.path(file), 'utf8');
    } catch (error) {
      throw unreadable(this.path(file), error);
    }
  }
}

function unreadable(path: string, error: unknown): TenetError {
  return new TenetError('TENET_ERR_DEVICE_AGENT_STATE_UNREADABLE', `cannot read ${path}`, [{ path, message: (error as Error).message }]);
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode, flag: 'wx' });
  await rename(temporary, path);
}
