// Cross-key checks of the enforcement config that a schema cannot express: unique names, one
// route per host + prefix, sensitivities that agree with `resources`, files that exist, and the
// loud warnings for development settings.
import { resolve } from 'node:path';
import type { ErrorIssue } from '../errors.js';
import type { TenetConfig } from './schema.js';

export function checkEnforcement(config: TenetConfig, baseDir: string, requireFile: (issues: ErrorIssue[], path: string, absolute: string) => void): { issues: ErrorIssue[]; warnings: string[] } {
  const issues: ErrorIssue[] = [];
  const warnings: string[] = [];
  const routeNames = new Map<string, number>();
  const placements = new Map<string, number>();
  config.routes.forEach((route, index) => {
    const name = routeNames.get(route.name);
    if (name !== undefined) issues.push({ path: `routes.${index}.name`, message: `"${route.name}" is also the name of routes.${name}`, hint: 'route names must be unique' });
    else routeNames.set(route.name, index);
    const placement = `${route.host.toLowerCase()} ${route.pathPrefix}`;
    const same = placements.get(placement);
    if (same !== undefined) issues.push({ path: `routes.${index}`, message: `routes.${same} already answers for ${route.host}${route.pathPrefix}`, hint: 'give each route its own host or path prefix' });
    else placements.set(placement, index);
    if (route.upstreamCa !== undefined) requireFile(issues, `routes.${index}.upstreamCa`, resolve(baseDir, route.upstreamCa));
    if (route.sensitivity !== undefined) {
      const configured = config.resources.find((rule) => rule.type === route.resource.type && rule.id === route.resource.id);
      if (configured !== undefined && configured.sensitivity !== route.sensitivity) {
        issues.push({ path: `routes.${index}.sensitivity`, message: `"${route.sensitivity}" disagrees with resources (${configured.sensitivity}) for ${route.resource.type}::${route.resource.id}`, hint: 'set the sensitivity in one place' });
      }
    }
    if (config.proxy !== undefined && route.upstream === undefined) {
      warnings.push(`routes.${index} (${route.name}) has no upstream: the proxy answers 502 for it; forward-auth and ext_authz still decide for it.`);
    }
  });

  const providerIds = new Set<string>();
  config.authentication.providers.forEach((provider, index) => {
    if (providerIds.has(provider.id)) issues.push({ path: `authentication.providers.${index}.id`, message: `provider id "${provider.id}" is used twice` });
    providerIds.add(provider.id);
    const secrets = [provider.clientSecret, provider.clientSecretFile, provider.clientSecretEnv].filter((value) => value !== undefined);
    if (secrets.length > 1) issues.push({ path: `authentication.providers.${index}`, message: 'give the client secret one way only: clientSecret, clientSecretFile or clientSecretEnv' });
    if (provider.clientSecretFile !== undefined) requireFile(issues, `authentication.providers.${index}.clientSecretFile`, resolve(baseDir, provider.clientSecretFile));
    if (provider.clientSecretEnv !== undefined && process.env[provider.clientSecretEnv] === undefined) {
      issues.push({ path: `authentication.providers.${index}.clientSecretEnv`, message: `environment variable ${provider.clientSecretEnv} is not set` });
    }
    if (provider.issuer.startsWith('http://')) {
      if (!provider.allowInsecureHttp) issues.push({ path: `authentication.providers.${index}.issuer`, message: 'an http:// issuer sends tokens in clear', hint: 'use https, or set allowInsecureHttp: true for a development IdP on loopback' });
      else warnings.push(`authentication.providers.${index} (${provider.id}) uses an http:// issuer: development only.`);
    }
  });

  const proxy = config.proxy;
  if (proxy !== undefined) {
    if (typeof proxy.tls === 'object') {
      requireFile(issues, 'proxy.tls.cert', resolve(baseDir, proxy.tls.cert));
      requireFile(issues, 'proxy.tls.key', resolve(baseDir, proxy.tls.key));
    } else if (proxy.tls === 'self-signed') {
      warnings.push('proxy.tls is "self-signed": browsers will warn. Development only; use certificate files in production.');
    } else if (proxy.publicUrl.startsWith('https://')) {
      warnings.push('proxy.tls is not set: Tenet serves plain HTTP and expects a TLS-terminating proxy in front (session cookies are Secure).');
    }
    if (!proxy.publicUrl.startsWith('https://')) {
      issues.push({ path: 'proxy.publicUrl', message: 'must be https://: session cookies are __Host- cookies, which browsers accept only over HTTPS', hint: 'terminate TLS in Tenet (proxy.tls) or in front of it' });
    }
    if (proxy.assertionKey !== undefined) requireFile(issues, 'proxy.assertionKey', resolve(baseDir, proxy.assertionKey));
    if (config.routes.length === 0) warnings.push('proxy is configured but routes is empty: every request gets 404.');
  }
  return { issues, warnings };
}
