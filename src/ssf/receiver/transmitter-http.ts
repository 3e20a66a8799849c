// HTTP calls from the receiver to a transmitter (discovery, JWKS, stream management, poll): JSON in
// and out, a bearer token when configured, a timeout, no redirects (a redirect could carry the
// token elsewhere), and https only unless the transmitter is marked allowInsecureHttp.
import { TenetError } from '../../errors.js';

export interface TransmitterRequest {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  readonly url: string;
  readonly token?: string;
  readonly body?: unknown;
  readonly timeoutMs: number;
  readonly allowInsecureHttp: boolean;
  readonly signal?: AbortSignal;
}

export interface TransmitterResponse {
  readonly status: number;
  /** The parsed JSON body, or undefined when empty or not JSON. */
  readonly json: unknown;
}

/** Largest response body read (a poll answer holds at most maxEvents SETs). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export function requireTransmitterUrl(url: string, allowInsecureHttp: boolean, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TenetError('TENET_ERR_CONFIG_SSF_TRANSMITTER_INVALID', `${what} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && !(allowInsecureHttp && parsed.protocol === 'http:')) {
    throw new TenetError('TENET_ERR_CONFIG_SSF_TRANSMITTER_INVALID', `${what} must be an https:// URL (set allowInsecureHttp for development only)`);
  }
  return parsed;
}

export async function callTransmitter(request: TransmitterRequest): Promise<TransmitterResponse> {
  const url = requireTransmitterUrl(request.url, request.allowInsecureHttp, `the transmitter URL ${request.url}`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      redirect: 'manual',
      signal,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
  } catch (error) {
    throw new TenetError('TENET_ERR_INTERNAL_SSF_TRANSMITTER_UNREACHABLE', `${request.method} ${url.origin}${url.pathname} failed: ${(error as Error).message}`, [], { cause: error });
  }
  const text = await readLimited(response);
  let json: unknown;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, json };
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw new TenetError('TENET_ERR_CONFIG_SSF_TRANSMITTER_INVALID', `the transmitter's answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
  }
  const buffer = Buffer.from(await response.arrayBuffer());
  if (buffer.length > MAX_RESPONSE_BYTES) throw new TenetError('TENET_ERR_CONFIG_SSF_TRANSMITTER_INVALID', `the transmitter's answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
  return buffer.toString('utf8');
}
