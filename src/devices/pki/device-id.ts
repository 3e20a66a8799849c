// Device ids and their place in a device certificate: the URI subjectAltName
// `${deviceIdUriPrefix}${encodeURIComponent(deviceId)}` (RFC 5280 §4.2.1.6), e.g.
// `urn:tenet:device:laptop-7` or `spiffe://example.com/device/laptop-7`. Ids are short and plain so
// they are safe in URIs, logs, Cedar entity ids and file names.
import { TenetError } from '../../errors.js';

const DEVICE_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function isValidDeviceId(id: string): boolean {
  return DEVICE_ID.test(id);
}

/** The URI SAN naming `deviceId`; throws TENET_ERR_DEVICE_ID_INVALID for an id outside 1–128 of [A-Za-z0-9._-]. */
export function deviceIdUri(prefix: string, deviceId: string): string {
  if (!isValidDeviceId(deviceId)) throw new TenetError('TENET_ERR_DEVICE_ID_INVALID', 'a device id is 1-128 letters, digits, dots, underscores or dashes');
  return `${prefix}${encodeURIComponent(deviceId)}`;
}

/**
 * The device id a URI names, or undefined. Only the canonical form counts (what deviceIdUri
 * writes), so one device cannot appear under two spellings such as `laptop-7` and `laptop%2D7`.
 */
export function deviceIdFromUri(prefix: string, uri: string): string | undefined {
  if (!uri.startsWith(prefix)) return undefined;
  const encoded = uri.slice(prefix.length);
  let id: string;
  try {
    id = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  return isValidDeviceId(id) && encodeURIComponent(id) === encoded ? id : undefined;
}
