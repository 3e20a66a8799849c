// The literal pools the generators draw from: ordinary values plus the corners where evaluators
// tend to differ (Long bounds, `like` escapes, malformed and extreme extension-function inputs).

/** Long literals for policy text; exact, including both 64-bit bounds. */
export const LONG_LITERALS = ['0', '1', '-1', '2', '7', '42', '-3', '1000', '9223372036854775807', '-9223372036854775808', '9223372036854775806', '4611686018427387904', '-4611686018427387904', '3037000500', '9007199254740993', '-9007199254740993'];

/** Long values for entity and context JSON: within ±(2^53 − 1), the range cedar-wasm can receive exactly. */
export const LONG_DATA = [0, 1, -1, 2, 3, 7, 42, -42, 1000, 9007199254740991, -9007199254740991, 4294967296, 3037000500];

export const STRINGS = ['', 'a', 'ab', 'alice', 'a*b', '*', 'x y', 'héllo', 'line\nbreak', '\u{1F600}', 'a\\b', '10.0.0.1', '1.5', 'red', 'A', 'aaa'];

/** Pieces of `like` patterns as written inside the pattern's quotes. */
export const PATTERN_PIECES = ['a', 'b', '*', '\\*', 'x y', 'é', '\\n', '\\u{1F600}', '**', 'A', '\\\\'];

export const IPS = ['10.0.0.1', '10.0.0.0/8', '127.0.0.1', '::1', 'ff02::1', '192.168.1.1/24', '::ffff:10.0.0.1', '224.0.0.1', '0.0.0.0', '255.255.255.255/32', '::/0', '1:2:3:4:5:6:7:8', '127.0.0.1/8', '10.0.0.1/32', 'fe80::1%eth0', '300.1.1.1', '10.0.0.1/33', '01.2.3.4', '::ffff:127.0.0.1', '2001:db8::/32', '0.0.0.0/0', ''];

export const DECIMALS = ['0.0', '1.5', '-1.5', '1.2345', '922337203685477.5807', '-922337203685477.5808', '922337203685477.5808', '1.23456', '1', '1.', '.5', '-0.0', '00.1', '1.50', '2.0', '-0.0001'];

export const DATETIMES = ['2024-01-01', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.123Z', '2024-01-01T12:00:00+0100', '2024-01-01T12:00:00-2359', '1970-01-01', '2024-02-30', '2024-1-1', '9999-12-31T23:59:59.999Z', '2024-01-01T00:00:00+2400', '0000-01-01', '2023-12-31T23:00:00-0100', '2024-02-29', '2023-02-29', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00.12Z'];

export const DURATIONS = ['1d', '1h30m', '-2d12h', '1ms', '0ms', '1d2h3m4s5ms', '106751991167d', '106751991168d', '9223372036854775807ms', '-9223372036854775808ms', '1h1d', '', '-0s', '1.5h', '24h', '60m', '2562047788015h', '1d1d'];

export const ENTITY_ID_EXTRAS = ['', 'with space', 'quote"d', 'ünï', 'a::b'];
