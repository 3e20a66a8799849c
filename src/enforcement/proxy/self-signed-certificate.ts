// A self-signed TLS certificate for development (`proxy.tls: self-signed`): an ECDSA P-256 key from
// node:crypto, certified by issue-certificate.ts for localhost, 127.0.0.1, ::1 and the configured
// hosts. Generated once into the data directory and reused while it is valid for every requested
// name, so browsers see the same certificate across restarts; the private key file is 0600.
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { issueCertificate } from '../../pki/issue-certificate.js';

export const SELF_SIGNED_CERT_FILE = 'proxy-self-signed-cert.pem';
export const SELF_SIGNED_KEY_FILE = 'proxy-self-signed-key.pem';

const VALIDITY_DAYS = 90;
/** Regenerate when less than this is left, so a long-running process does not cross the expiry. */
const RENEW_BEFORE_DAYS = 14;
const DAY_MS = 86_400_000;

export async function generateSelfSignedCertificate(hosts: string[], dir: string): Promise<{ certPath: string; keyPath: string }> {
  const certPath = join(dir, SELF_SIGNED_CERT_FILE);
  const keyPath = join(dir, SELF_SIGNED_KEY_FILE);
  const names = subjectAltNames(hosts);
  if (await reusable(certPath, keyPath, names)) {
    await chmod(keyPath, 0o600);
    return { certPath, keyPath };
  }
  await mkdir(dir, { recursive: true });
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const subjectCn = `Tenet development certificate (${names[0]?.value ?? 'localhost'})`;
  const certPem = issueCertificate(
    {
      subjectCn,
      publicKey,
      // Backdated a little so clients with a slightly slow clock accept it at once.
      notBefore: new Date(now - 60 * 60 * 1000),
      notAfter: new Date(now + VALIDITY_DAYS * DAY_MS),
      ca: false,
      dnsNames: names.filter((name) => name.type === 'dns').map((name) => name.value),
      ipAddresses: names.filter((name) => name.type === 'ip').map((name) => name.value),
      serverAuth: true,
    },
    { cn: subjectCn, publicKey, privateKey },
  );
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Key first, each file replaced atomically: a crash in between leaves a pair that does not match,
  // which the next start detects and regenerates.
  await writeAtomically(keyPath, keyPem, 0o600);
  await writeAtomically(certPath, certPem, 0o644);
  return { certPath, keyPath };
}

type SubjectAltName = { type: 'dns' | 'ip'; value: string };

/** localhost, 127.0.0.1, ::1 and the hosts (ports and IPv6 brackets removed, duplicates dropped). */
function subjectAltNames(hosts: readonly string[]): SubjectAltName[] {
  const seen = new Set<string>();
  const names: SubjectAltName[] = [];
  for (const host of ['localhost', '127.0.0.1', '::1', ...hosts]) {
    const name = hostName(host);
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    names.push({ type: isIP(name) === 0 ? 'dns' : 'ip', value: name });
  }
  return names;
}

function hostName(host: string): string | undefined {
  const text = host.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(text);
  if (bracketed) return canonicalIp(bracketed[1] ?? '');
  if (isIP(text) !== 0) return canonicalIp(text);
  const name = text.replace(/:\d+$/, '');
  if (isIP(name) !== 0) return name;
  // DNS names, with at most a leading "*." wildcard label (RFC 6125 §6.4.3).
  return /^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name) ? name : undefined;
}

function canonicalIp(address: string): string {
  return isIP(address) === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

/** True when both files exist, belong together, are valid now and well after, and cover every name. */
async function reusable(certPath: string, keyPath: string, names: readonly SubjectAltName[]): Promise<boolean> {
  let certificate: X509Certificate;
  let keyPem: string;
  try {
    certificate = new X509Certificate(await readFile(certPath));
    keyPem = await readFile(keyPath, 'utf8');
  } catch {
    return false;
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(keyPem))) return false;
  } catch {
    return false;
  }
  const now = Date.now();
  if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) < now + RENEW_BEFORE_DAYS * DAY_MS) return false;
  const covered = new Set(
    (certificate.subjectAltName ?? '').split(', ').map((entry) => {
      const [kind = '', ...rest] = entry.split(':');
      const value = rest.join(':');
      return kind === 'IP Address' ? canonicalIp(value) : value.toLowerCase();
    }),
  );
  return names.every((name) => covered.has(name.value));
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode, flag: 'wx' });
  await rename(temporary, path);
}
