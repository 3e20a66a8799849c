// Where the device CA's certificate and key come from. builtin: generated on first start into the
// data directory (beside the database) and reused after; external: the configured certificate and
// key files; verify-only: a bundle of CA certificates and no key. Every problem is a config error
// naming the file and what to do, and a private key readable by group or others is refused.
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { link, lstat, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TenetError } from '../../errors.js';
import { issueCertificate } from '../../pki/issue-certificate.js';
import { readPemBlocks, toPem } from '../../pki/pem.js';

export const DEVICE_CA_CERT_FILE = 'device-ca.pem';
export const DEVICE_CA_KEY_FILE = 'device-ca-key.pem';
export const DEVICE_CA_NAME = 'Tenet device CA';

const CA_LIFETIME_MS = 10 * 365.25 * 86_400_000;
/** Backdated like device certificates, for verifiers whose clock is a little behind. */
const CA_BACKDATE_MS = 5 * 60_000;

export interface SigningCa {
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
}

/** Loads the built-in CA from `directory`, creating it on first start. */
export async function loadOrCreateBuiltinCa(directory: string, now: Date): Promise<SigningCa> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const keyPath = join(directory, DEVICE_CA_KEY_FILE);
  const certPath = join(directory, DEVICE_CA_CERT_FILE);
  let privateKey = await readPrivateKeyIfPresent(keyPath);
  if (privateKey === undefined) {
    if (await exists(certPath)) {
      throw configError('TENET_ERR_CONFIG_DEVICE_CA_KEY_MISSING', `${certPath} exists but ${keyPath} does not: restore the key, or remove both files to start a new device CA (every device must then enroll again)`);
    }
    // Key first: a crash before the certificate lands leaves a key that the next start certifies
    // (below); no device certificate can exist yet, since none is issued before open() returns.
    const generated = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    if (await publishOnce(keyPath, generated.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600)) privateKey = generated.privateKey;
    else privateKey = await readPrivateKey(keyPath);
  }
  const existing = await readFileIfPresent(certPath);
  if (existing !== undefined) return { certificate: matchingCaCertificate(existing, certPath, privateKey, 'the built-in device CA key'), privateKey };
  const publicKey = createPublicKey(privateKey);
  const pem = issueCertificate(
    { subjectCn: DEVICE_CA_NAME, publicKey, notBefore: new Date(now.getTime() - CA_BACKDATE_MS), notAfter: new Date(now.getTime() + CA_LIFETIME_MS), ca: true },
    { cn: DEVICE_CA_NAME, publicKey, privateKey },
  );
  // Another process starting at the same moment may have won the race: use what is on disk.
  const published = (await publishOnce(certPath, pem, 0o644)) ? pem : await readFile(certPath, 'utf8');
  return { certificate: matchingCaCertificate(published, certPath, privateKey, 'the built-in device CA key'), privateKey };
}

/** Loads an external CA's certificate and key (config-relative paths already resolved). */
export async function loadExternalCa(certPath: string, keyPath: string): Promise<SigningCa> {
  const privateKey = await readPrivateKey(keyPath);
  const curve = privateKey.asymmetricKeyType === 'ec' ? privateKey.asymmetricKeyDetails?.namedCurve : undefined;
  if (curve !== 'prime256v1' && curve !== 'secp384r1') throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${keyPath}: the device CA key must be EC P-256 or P-384`);
  const text = await readFileIfPresent(certPath);
  if (text === undefined) throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${certPath}: file not found (devices.pki.caCertificate)`);
  return { certificate: matchingCaCertificate(text, certPath, privateKey, `the key in ${keyPath}`), privateKey };
}

/** Loads a bundle of one or more PEM CA certificates (verify-only mode). */
export async function loadCaBundle(path: string): Promise<X509Certificate[]> {
  const text = await readFileIfPresent(path);
  if (text === undefined) throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${path}: file not found (devices.pki.caCertificate)`);
  const blocks = readPemBlocks(text);
  if (blocks === undefined || blocks.length === 0 || blocks.some((block) => block.label !== 'CERTIFICATE')) {
    throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${path}: expected one or more PEM CERTIFICATE blocks and nothing else`);
  }
  return blocks.map((block, index) => caCertificate(toPem('CERTIFICATE', block.der), `${path} (certificate ${index + 1})`));
}

function matchingCaCertificate(pem: string, path: string, privateKey: KeyObject, keyDescription: string): X509Certificate {
  const blocks = readPemBlocks(pem);
  if (blocks === undefined || blocks.length !== 1 || blocks[0]?.label !== 'CERTIFICATE') {
    throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${path}: expected exactly one PEM CERTIFICATE block`);
  }
  const certificate = caCertificate(pem, path);
  if (!certificate.checkPrivateKey(privateKey)) throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${path}: the certificate does not belong to ${keyDescription}`);
  return certificate;
}

function caCertificate(pem: string, path: string): X509Certificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${path}: not a readable X.509 certificate`);
  }
  if (!certificate.ca) throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${path}: not a CA certificate (basicConstraints cA is not set)`);
  return certificate;
}

/** Reads a private key, refusing one that group or others could read. */
async function readPrivateKey(path: string): Promise<KeyObject> {
  const key = await readPrivateKeyIfPresent(path);
  if (key === undefined) throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${path}: file not found (devices.pki.caKey)`);
  return key;
}

async function readPrivateKeyIfPresent(path: string): Promise<KeyObject | undefined> {
  let mode: number;
  try {
    const stat = await lstat(path);
    if (!stat.isFile()) throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${path}: not a regular file`);
    mode = stat.mode;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw configError('TENET_ERR_CONFIG_DEVICE_CA_KEY_EXPOSED', `${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}): run \`chmod 600 ${path}\``);
  }
  try {
    return createPrivateKey(await readFile(path, 'utf8'));
  } catch {
    throw configError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `${path}: not a readable PEM private key`);
  }
}

/**
 * Writes `content` to `path` only if `path` does not exist yet, atomically: the content goes to a
 * temporary file first and is hard-linked into place (link fails if the name exists, unlike
 * rename), so readers never see a partial file. Returns false when another writer was first.
 */
async function publishOnce(path: string, content: string, mode: number): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode, flag: 'wx' });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary);
  }
}

async function readFileIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await readFileIfPresent(path)) !== undefined;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function configError(code: `TENET_ERR_CONFIG_${string}`, message: string): TenetError {
  return new TenetError(code, `device CA: ${message}`);
}
