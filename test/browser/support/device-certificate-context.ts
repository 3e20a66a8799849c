// A clean browser profile that holds a device certificate, as a user who imported the agent's
// PKCS#12 file would have (docs/devices.md). Playwright presents it for `origin` through its own
// TLS proxy (`clientCertificates`): Chromium offers it when the proxy's TLS listener asks for a
// client certificate, and never elsewhere. Otherwise the same profile as support/chromium.ts's.
import type { Browser, BrowserContext } from 'playwright-core';

export interface DeviceCertificateFiles {
  /** The origin the certificate is presented to, e.g. `https://localhost:41000`. */
  readonly origin: string;
  /** The agent's device-cert.pem. */
  readonly certPath: string;
  /** The agent's device-key.pem. */
  readonly keyPath: string;
}

export async function newDeviceContext(browser: Browser, files: DeviceCertificateFiles): Promise<BrowserContext> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    clientCertificates: [{ origin: files.origin, certPath: files.certPath, keyPath: files.keyPath }],
  });
  // A hang guard as in support/chromium.ts, not a timing assertion.
  context.setDefaultTimeout(15_000);
  return context;
}
