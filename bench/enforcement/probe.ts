// One request before any load, to check that each target answers what the benchmark claims to
// measure (200 with the upstream's body, not a login redirect or an error page), and that the
// authenticated targets really check: the same request without the session cookie must be refused.
// The first probe of a Tenet target also warms its decision cache.
import { request } from 'node:http';
import { assertLoopback, type LoadTarget } from './wrk.js';

export interface ProbeAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

const PROBE_TIMEOUT_MS = 10_000;

export function probe(url: string, headers: readonly string[]): Promise<ProbeAnswer> {
  assertLoopback(url);
  const headerObject: Record<string, string> = {};
  for (const header of headers) {
    const colon = header.indexOf(':');
    headerObject[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: headerObject, agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`probe of ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** The target must answer 200 with exactly `body`; throws with what it answered instead. */
export async function expectServed(target: LoadTarget, body: string): Promise<ProbeAnswer> {
  const answer = await probe(target.url, target.headers);
  if (answer.status !== 200 || answer.body !== body) {
    throw new Error(`${target.label} answered ${answer.status} ${JSON.stringify(answer.body.slice(0, 200))}, expected 200 ${JSON.stringify(body)}: the benchmark would not measure what it says`);
  }
  return answer;
}

/** Without its Cookie header the target must refuse (401): proof that the authenticated path is the one loaded. */
export async function expectRefusedWithoutCookie(target: LoadTarget): Promise<void> {
  const answer = await probe(
    target.url,
    target.headers.filter((header) => !/^cookie:/i.test(header)),
  );
  if (answer.status !== 401) throw new Error(`${target.label} answered ${answer.status} without the session cookie, expected 401: is it really asking Tenet?`);
}
