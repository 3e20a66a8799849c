// TESTS ONLY: writes a minimal MaxMind DB (format 2.0, https://maxmind.github.io/MaxMind-DB/) so
// GeoIP lookups are tested against a real `.mmdb` read by the `maxmind` package, without shipping
// a licensed database. IPv4 tree, 32-bit records; data: maps, arrays, UTF-8 strings, unsigned
// integers (uint32) and doubles; no pointers or de-duplication. Not for production databases.

type MmdbValue = string | number | boolean | readonly MmdbValue[] | { readonly [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** IPv4 CIDR, e.g. `81.2.69.0/24`. */
  readonly cidr: string;
  readonly data: { readonly [key: string]: MmdbValue };
}

const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');

function header(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let first = type <= 7 ? type << 5 : 0;
  const extra: number[] = [];
  if (size < 29) first |= size;
  else if (size < 285) {
    first |= 29;
    extra.push(size - 29);
  } else if (size < 65_821) {
    first |= 30;
    extra.push(((size - 285) >> 8) & 0xff, (size - 285) & 0xff);
  } else {
    first |= 31;
    const rest = size - 65_821;
    extra.push((rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff);
  }
  bytes.push(first);
  if (type > 7) bytes.push(type - 7);
  return Buffer.from([...bytes, ...extra]);
}

export function encodeMmdbValue(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([header(2, text.length), text]);
  }
  if (typeof value === 'boolean') return header(14, value ? 1 : 0);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
      const bytes: number[] = [];
      for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
      return Buffer.concat([header(6, bytes.length), Buffer.from(bytes)]);
    }
    const double = Buffer.alloc(8);
    double.writeDoubleBE(value);
    return Buffer.concat([header(3, 8), double]);
  }
  if (Array.isArray(value)) return Buffer.concat([header(11, value.length), ...value.map((item: MmdbValue) => encodeMmdbValue(item))]);
  const entries = Object.entries(value as { readonly [key: string]: MmdbValue });
  return Buffer.concat([header(7, entries.length), ...entries.flatMap(([key, item]) => [encodeMmdbValue(key), encodeMmdbValue(item)])]);
}

interface Node {
  left: Ref;
  right: Ref;
}
type Ref = { readonly node: number } | { readonly data: number } | undefined;

function ipv4Bits(cidr: string): { bits: number[]; prefix: number } {
  const [address = '', prefixText = '32'] = cidr.split('/');
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const bits = octets.flatMap((octet) => Array.from({ length: 8 }, (_, i) => (octet >> (7 - i)) & 1));
  return { bits, prefix: Number(prefixText) };
}

/** The bytes of a City-style database holding the given networks. */
export function writeMmdb(networks: readonly MmdbNetwork[], databaseType = 'Tenet-Test-City'): Buffer {
  const data: Buffer[] = [];
  let dataLength = 0;
  const nodes: Node[] = [{ left: undefined, right: undefined }];
  for (const network of networks) {
    const offset = dataLength;
    const encoded = encodeMmdbValue(network.data);
    data.push(encoded);
    dataLength += encoded.length;
    const { bits, prefix } = ipv4Bits(network.cidr);
    let current = 0;
    for (let depth = 0; depth < prefix; depth += 1) {
      const node = nodes[current] as Node;
      const side = bits[depth] === 1 ? 'right' : 'left';
      if (depth === prefix - 1) {
        node[side] = { data: offset };
        break;
      }
      const next = node[side];
      if (next !== undefined && 'node' in next) {
        current = next.node;
        continue;
      }
      nodes.push({ left: undefined, right: undefined });
      node[side] = { node: nodes.length - 1 };
      current = nodes.length - 1;
    }
  }
  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 8);
  const recordValue = (ref: Ref): number => (ref === undefined ? nodeCount : 'node' in ref ? ref.node : nodeCount + 16 + ref.data);
  nodes.forEach((node, i) => {
    tree.writeUInt32BE(recordValue(node.left), i * 8);
    tree.writeUInt32BE(recordValue(node.right), i * 8 + 4);
  });
  const metadata = encodeMmdbValue({
    node_count: nodeCount,
    record_size: 32,
    ip_version: 4,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: 'Tenet test fixture' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, METADATA_MARKER, metadata]);
}

/** A GeoIP2-City-shaped record. */
export function cityRecord(city: string, country: string, latitude: number, longitude: number): MmdbNetwork['data'] {
  return { city: { names: { en: city } }, country: { iso_code: country }, location: { latitude, longitude, accuracy_radius: 20 } };
}
