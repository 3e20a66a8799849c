// Positive ASN.1 INTEGERs as X.509 carries them: certificate serial numbers (RFC 5280 §4.1.2.2,
// written as lower-case hex of the encoded octets) and CRL numbers (§5.2.3, up to 20 octets).
import { randomBytes } from 'node:crypto';

/** A fresh 128-bit serial as hex: positive and minimal (first octet 0x01–0x7f), unpredictable (§4.1.2.2). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) || 0x01;
  return bytes.toString('hex');
}

/**
 * The INTEGER content octets of a serial given as hex. Refuses what is not a positive DER integer
 * of at most 20 octets, so a caller's serial cannot turn negative or non-minimal on the wire.
 */
export function serialOctets(hex: string): ArrayBuffer {
  if (!/^(?:[0-9a-f]{2}){1,20}$/i.test(hex)) throw new RangeError(`serial must be 1-20 octets of hex: ${hex.slice(0, 48)}`);
  const bytes = Buffer.from(hex, 'hex');
  const first = bytes[0] ?? 0;
  const second = bytes[1];
  if (first >= 0x80) throw new RangeError('serial must be positive (first octet below 0x80)');
  if (first === 0 && (second === undefined || second < 0x80)) throw new RangeError('serial must be minimally encoded and non-zero');
  return toArrayBuffer(bytes);
}

/** DER TLV of a non-negative INTEGER (for extension values such as cRLNumber). */
export function derInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('expected a non-negative integer');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const content = Buffer.from(hex, 'hex');
  const octets = (content[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), content]) : content;
  if (octets.length > 20) throw new RangeError('integer longer than 20 octets');
  return new Uint8Array([0x02, octets.length, ...octets]);
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
