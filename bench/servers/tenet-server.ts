// Child process for the HTTP benchmark: `tenet serve` on the given config (port 0), then one JSON
// line `{"listening": url}` on stdout. SIGTERM flushes the decision log and exits (serve's handlers).
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { serve } from '../../src/server.js';

const configFile = process.argv[2];
if (configFile === undefined) throw new Error('usage: tenet-server.ts <tenet.yaml>');
const running = await serve(loadConfig(configFile), { logger: pino({ level: 'error' }, pino.destination(2)), handleSignals: true });
console.log(JSON.stringify({ listening: running.url }));
