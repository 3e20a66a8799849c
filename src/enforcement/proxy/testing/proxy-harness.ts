// Starts a real proxy on 127.0.0.1 port 0 with scripted decisions, a test renderVerdict, a
// reserved-path handler that answers /.tenet/jwks.json only, and a pino logger whose lines the
// test can read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { proxySchema, type RouteConfig } from '../../../config/enforcement-schema.js';
import type { HttpRequestFacts, Verdict } from '../../access/http-access.js';
import { startProxy, type ProxyDeps, type RunningProxy } from '../start-proxy.js';
import { ScriptedAccess, renderTestVerdict } from './scripted-access.js';

export interface TestProxy {
  readonly proxy: RunningProxy;
  readonly access: ScriptedAccess;
  readonly port: number;
  /** Reserved-path calls the proxy made. */
  readonly reservedCalls: HttpRequestFacts[];
  /** Parsed pino lines. */
  readonly logLines: Record<string, unknown>[];
  /** Raw pino output, to check what never appears in it. */
  logText(): string;
}

export async function startTestProxy(options: {
  script: (facts: HttpRequestFacts) => Verdict;
  config?: Record<string, unknown>;
  routes?: () => readonly RouteConfig[];
  tls?: ProxyDeps['tls'];
  upstreamCa?: ProxyDeps['upstreamCa'];
}): Promise<TestProxy> {
  const access = new ScriptedAccess(options.script);
  const reservedCalls: HttpRequestFacts[] = [];
  let text = '';
  const logger = pino({ level: 'info' }, { write: (line: string) => void (text += line) });
  const reserved = async (_req: IncomingMessage, res: ServerResponse, facts: HttpRequestFacts): Promise<boolean> => {
    reservedCalls.push(facts);
    if (facts.path !== '/.tenet/jwks.json') return false;
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end('{"keys":[]}');
    return true;
  };
  const proxy = await startProxy({
    config: proxySchema.parse({ listen: '127.0.0.1:0', publicUrl: 'http://127.0.0.1', ...options.config }),
    access,
    renderVerdict: renderTestVerdict,
    reserved,
    sessionCookieName: '__Host-tenet_session',
    logger,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.routes === undefined ? {} : { routes: options.routes }),
    ...(options.upstreamCa === undefined ? {} : { upstreamCa: options.upstreamCa }),
  });
  return {
    proxy,
    access,
    port: Number(new URL(proxy.url).port),
    reservedCalls,
    get logLines() {
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => text,
  };
}
