/**
 * Property tests (fast-check) for the untrusted-input parsers: the control-line splitter, the
 * command-line parser, and the PORT/EPRT/EPSV argument parsers. FUZZ_RUNS sets the run count.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { LineSplitter, parseCommandLine, type LineEvent } from '../../core/ftp/parser.js';
import { parseEprtArgument, parseEpsvArgument, parsePortArgument } from '../../core/ftp/arguments.js';

const numRuns = Number(process.env.FUZZ_RUNS ?? 500);
const MAX = 64;

/** Cuts `bytes` at the given (sorted, deduplicated) positions. */
function cut(bytes: Uint8Array, positions: number[]): Buffer[] {
  const points = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(Buffer.from(bytes.subarray(start, point)));
    start = point;
  }
  chunks.push(Buffer.from(bytes.subarray(start)));
  return chunks;
}

function feed(chunks: Buffer[], max = MAX): LineEvent[] {
  const splitter = new LineSplitter(max);
  return chunks.flatMap((chunk) => splitter.push(chunk));
}

/** Bytes biased towards the interesting ones: CR, LF, NUL, IAC, UTF-8 lead and continuation bytes. */
const controlBytes = fc.uint8Array({
  maxLength: 400,
}).chain((random) =>
  fc.array(fc.constantFrom(0x0d, 0x0a, 0x00, 0xff, 0xf4, 0xf2, 0xfb, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0x41, 0x20), { maxLength: 400 }).map((special) => {
    const out = new Uint8Array(random.length + special.length);
    let i = 0;
    let j = 0;
    for (let k = 0; k < out.length; k++) out[k] = (k % 2 === 0 && i < random.length) || j >= special.length ? random[i++]! : special[j++]!;
    return out;
  }),
);

describe('LineSplitter properties', () => {
  test('never throws, never yields a line over the limit, and nothing after too-long', () => {
    fc.assert(
      fc.property(controlBytes, fc.array(fc.nat(), { maxLength: 20 }), (bytes, positions) => {
        const events = feed(cut(bytes, positions));
        const tooLong = events.findIndex((e) => e.kind === 'too-long');
        if (tooLong !== -1) assert.equal(tooLong, events.length - 1, 'too-long is the last event');
        for (const event of events) {
          if (event.kind !== 'line') continue;
          // Each UTF-16 unit comes from at least one input byte, so the decoded line is within the byte limit.
          assert.ok(event.line.length <= MAX, `line of ${event.line.length} units`);
          assert.ok(!event.line.includes('\r') && !event.line.includes('\n'));
        }
      }),
      { numRuns },
    );
  });

  test('the result does not depend on how the bytes are split into TCP packets', () => {
    fc.assert(
      fc.property(controlBytes, fc.array(fc.nat(), { maxLength: 30 }), (bytes, positions) => {
        assert.deepEqual(feed(cut(bytes, positions)), feed([Buffer.from(bytes)]));
        // Byte by byte, the hardest split.
        assert.deepEqual(feed(Array.from(bytes, (b) => Buffer.from([b]))), feed([Buffer.from(bytes)]));
      }),
      { numRuns },
    );
  });

  test('lines joined by CRLF, LF or CR come back as sent (text without terminators or IAC)', () => {
    const lineText = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n\u0000\u00ff]/g, 'x'));
    fc.assert(
      fc.property(fc.array(fc.tuple(lineText, fc.constantFrom('\r\n', '\n', '\r')), { maxLength: 15 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, positions) => {
        // A lone CR followed by an empty LF-ended line is a CRLF: one line end, not two.
        fc.pre(lines.every(([, end], i) => end !== '\r' || lines[i + 1]?.[0] !== ''));
        const text = lines.map(([l, end]) => l + end).join('');
        const bytes = Buffer.from(text, 'utf8');
        const expected = lines.filter(([l]) => Buffer.byteLength(l) <= 200).length === lines.length;
        if (!expected) return;
        const events = feed(cut(bytes, positions), 200);
        assert.deepEqual(
          events,
          lines.map(([l]) => ({ kind: 'line', line: l })),
        );
      }),
      { numRuns },
    );
  });

  test('memory stays bounded: a flood without line ends stops at the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 4096 }), (chunks, size) => {
        const splitter = new LineSplitter(MAX);
        const events: LineEvent[] = [];
        for (let i = 0; i < chunks; i++) events.push(...splitter.push(Buffer.alloc(size, 0x41)));
        const total = chunks * size;
        if (total > MAX) assert.deepEqual(events, [{ kind: 'too-long' }]);
        else assert.deepEqual(events, []);
      }),
      { numRuns },
    );
  });

  test('examples: split UTF-8, CRLF across packets, IAC, a bare DM (BSD ABOR), a lone CR (ftplib ABOR)', () => {
    const euro = Buffer.from('SIZE €.txt\r\n');
    assert.deepEqual(feed([euro.subarray(0, 6), euro.subarray(6, 7), euro.subarray(7)], 100), [{ kind: 'line', line: 'SIZE €.txt' }]);
    assert.deepEqual(feed([Buffer.from('NOOP\r'), Buffer.from('\nPWD\r\n')]), [
      { kind: 'line', line: 'NOOP' },
      { kind: 'line', line: 'PWD' },
    ]);
    assert.deepEqual(feed([Buffer.from('ABOR\r')]), [{ kind: 'line', line: 'ABOR' }]);
    assert.deepEqual(feed([Buffer.from([0xff, 0xf4, 0xff, 0xf2, 0x41, 0x42, 0x4f, 0x52, 0x0d, 0x0a])]), [{ kind: 'line', line: 'ABOR' }]);
    // BSD clients' Synch: the second IAC went as TCP urgent data and never arrives; the bare DM goes too.
    assert.deepEqual(feed([Buffer.from([0xff, 0xf4]), Buffer.from([0xf2, 0x41, 0x42, 0x4f, 0x52, 0x0d, 0x0a])]), [{ kind: 'line', line: 'ABOR' }]);
    assert.deepEqual(feed([Buffer.from([0x41, 0xff, 0xff, 0x42, 0x0a])]), [{ kind: 'line', line: 'A\ufffdB' }]);
    assert.deepEqual(feed([Buffer.alloc(MAX, 0x41), Buffer.from('\r\n')]), [{ kind: 'line', line: 'A'.repeat(MAX) }]);
    assert.deepEqual(feed([Buffer.alloc(MAX + 1, 0x41), Buffer.from('\r\nNOOP\r\n')]), [{ kind: 'too-long' }]);
  });
});

describe('parseCommandLine properties', () => {
  test('never throws; the verb is upper-case without spaces; verb + argument give the line back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (line) => {
        const { verb, argument } = parseCommandLine(line);
        assert.equal(verb, verb.toUpperCase());
        assert.ok(!verb.includes(' '));
        const trimmed = line.replace(/^[ \t]+/, '');
        const space = trimmed.indexOf(' ');
        if (space === -1) {
          assert.equal(verb, trimmed.toUpperCase());
          assert.equal(argument, '');
        } else {
          assert.equal(verb, trimmed.slice(0, space).toUpperCase());
          assert.equal(argument, trimmed.slice(space + 1));
        }
      }),
      { numRuns },
    );
  });

  test('examples', () => {
    assert.deepEqual(parseCommandLine('retr my file.txt'), { verb: 'RETR', argument: 'my file.txt' });
    assert.deepEqual(parseCommandLine('  NOOP'), { verb: 'NOOP', argument: '' });
    assert.deepEqual(parseCommandLine('STOR  two spaces'), { verb: 'STOR', argument: ' two spaces' });
    assert.deepEqual(parseCommandLine(''), { verb: '', argument: '' });
  });
});

describe('PORT/EPRT/EPSV argument properties', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const port = fc.integer({ min: 1, max: 65535 });

  test('parsePortArgument never throws and only yields valid IPv4 hosts and ports', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.oneof(fc.nat(400).map(String), fc.string({ maxLength: 4 })), { maxLength: 8 }).map((a) => a.join(','))), (argument) => {
        const result = parsePortArgument(argument);
        if (result) {
          assert.ok(net.isIPv4(result.host), result.host);
          assert.ok(Number.isInteger(result.port) && result.port >= 1 && result.port <= 65535);
        }
      }),
      { numRuns },
    );
  });

  test('parsePortArgument round-trips every address and port', () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), port, (ip, p) => {
        const argument = `${ip.join(',')},${p >> 8},${p & 0xff}`;
        assert.deepEqual(parsePortArgument(argument), { host: ip.join('.'), port: p });
      }),
      { numRuns },
    );
  });

  test('parseEprtArgument never throws and only yields valid addresses of the stated family', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.tuple(fc.constantFrom('|', '!', '#', 'x', ' ', ''), fc.string({ maxLength: 3 }), fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 })), fc.string({ maxLength: 6 })).map(
            ([d, proto, host, p]) => `${d}${proto}${d}${host}${d}${p}${d}`,
          ),
        ),
        (argument) => {
          const result = parseEprtArgument(argument);
          if (result.ok) {
            assert.ok(result.family === 4 ? net.isIPv4(result.host) : net.isIPv6(result.host), result.host);
            assert.ok(Number.isInteger(result.port) && result.port >= 1 && result.port <= 65535);
          } else {
            assert.ok(result.reason === 'syntax' || result.reason === 'protocol');
          }
        },
      ),
      { numRuns },
    );
  });

  test('parseEprtArgument round-trips IPv4 and IPv6 with any delimiter', () => {
    const delimiter = fc.constantFrom('|', '!', '#', '$', '%', '&', '~', '^');
    fc.assert(
      fc.property(fc.oneof(fc.ipV4().map((h) => [1, h] as const), fc.ipV6().map((h) => [2, h] as const)), port, delimiter, ([family, host], p, d) => {
        const result = parseEprtArgument(`${d}${family}${d}${host}${d}${p}${d}`);
        assert.deepEqual(result, { ok: true, host, port: p, family: family === 1 ? 4 : 6 });
      }),
      { numRuns },
    );
  });

  test('parseEpsvArgument never throws and classifies every argument', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (argument) => {
        const result = parseEpsvArgument(argument);
        const text = argument.trim().toUpperCase();
        if (text === '') assert.deepEqual(result, { kind: 'open' });
        else if (text === 'ALL') assert.deepEqual(result, { kind: 'all' });
        else if (text === '1' || text === '2') assert.deepEqual(result, { kind: 'open', family: text === '1' ? 4 : 6 });
        else assert.ok(result.kind === 'protocol' || result.kind === 'syntax');
      }),
      { numRuns },
    );
  });

  test('examples', () => {
    assert.equal(parsePortArgument('127,0,0,1,0,0'), undefined, 'port 0');
    assert.equal(parsePortArgument('256,0,0,1,4,0'), undefined);
    assert.equal(parsePortArgument('1,2,3,4,5'), undefined);
    assert.deepEqual(parsePortArgument(' 127,0,0,1,4,1 '), { host: '127.0.0.1', port: 1025 });
    assert.deepEqual(parseEprtArgument('|3|1.2.3.4|5|'), { ok: false, reason: 'protocol' });
    assert.deepEqual(parseEprtArgument('|1|::1|5000|'), { ok: false, reason: 'syntax' });
    assert.deepEqual(parseEprtArgument('|1|1.2.3.4|70000|'), { ok: false, reason: 'syntax' });
    assert.deepEqual(parseEprtArgument('|2|::ffff:1.2.3.4|5000|'), { ok: true, host: '::ffff:1.2.3.4', port: 5000, family: 6 });
  });
});
