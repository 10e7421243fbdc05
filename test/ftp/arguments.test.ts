/**
 * Unit tests of the command-argument parsers (core/ftp/arguments.ts): what each accepts, what it
 * refuses, and the edge cases clients send. PORT, EPRT and EPSV also have property tests in
 * parser-properties.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseAlloArgument,
  parseEprtArgument,
  parseEpsvArgument,
  parseFtpTimestamp,
  parseMdtmSetForm,
  parseMfmtArgument,
  parseOptsArgument,
  parsePortArgument,
  parseProtLevel,
  parseRestOffset,
  parseSiteArgument,
  parseTypeArgument,
  splitListArguments,
} from '../../core/ftp/arguments.js';

describe('REST and ALLO byte counts', () => {
  test('REST takes a non-negative safe integer of at most 16 digits, spaces around it allowed', () => {
    assert.equal(parseRestOffset('0'), 0);
    assert.equal(parseRestOffset(' 1024 '), 1024);
    assert.equal(parseRestOffset('007'), 7);
    assert.equal(parseRestOffset('9007199254740991'), Number.MAX_SAFE_INTEGER);
    for (const bad of ['', '-1', '1.5', '1e3', '0x10', '12 34', '9007199254740992', '12345678901234567', 'abc']) {
      assert.equal(parseRestOffset(bad), undefined, bad);
    }
  });

  test('ALLO takes `<bytes> [R <size>]`; an empty argument announces nothing', () => {
    assert.deepEqual(parseAlloArgument('5000'), { ok: true, size: 5000 });
    assert.deepEqual(parseAlloArgument(' 5000 r 512 '), { ok: true, size: 5000 });
    assert.deepEqual(parseAlloArgument('5000 R 512'), { ok: true, size: 5000 });
    assert.deepEqual(parseAlloArgument(''), { ok: true });
    assert.deepEqual(parseAlloArgument('   '), { ok: true });
    for (const bad of ['-1', 'abc', '5000 R', '5000 X 1', '5000 R 1 2', '9007199254740992', '1.5']) {
      assert.deepEqual(parseAlloArgument(bad), { ok: false }, bad);
    }
  });
});

describe('TYPE', () => {
  test('I, L 8, L and L8 are binary; A and A N are ASCII, in any case', () => {
    for (const binary of ['I', 'i', ' I ', 'L 8', 'L', 'l8', 'L8']) assert.deepEqual(parseTypeArgument(binary), { kind: 'set', type: 'I' }, binary);
    for (const ascii of ['A', 'a', 'A N', 'a n']) assert.deepEqual(parseTypeArgument(ascii), { kind: 'set', type: 'A' }, ascii);
  });

  test('E, A T, A C and L 7 are understood but not implemented; anything else is a syntax error', () => {
    for (const unsupported of ['E', 'A T', 'A C', 'L 7', 'L 16']) assert.deepEqual(parseTypeArgument(unsupported), { kind: 'unsupported' }, unsupported);
    for (const bad of ['X', 'I 8', 'L8 8', 'BINARY', 'ASCII']) assert.deepEqual(parseTypeArgument(bad), { kind: 'syntax' }, bad);
  });
});

describe('timestamps: MDTM and MFMT', () => {
  test('YYYYMMDDHHMMSS[.sss] is a UTC date; impossible dates and other shapes are refused', () => {
    assert.equal(parseFtpTimestamp('20240102030405')?.toISOString(), '2024-01-02T03:04:05.000Z');
    assert.equal(parseFtpTimestamp('20240102030405.5')?.toISOString(), '2024-01-02T03:04:05.500Z');
    assert.equal(parseFtpTimestamp('20240102030405.123')?.toISOString(), '2024-01-02T03:04:05.123Z');
    assert.equal(parseFtpTimestamp('20240229000000')?.toISOString(), '2024-02-29T00:00:00.000Z');
    for (const bad of ['20230229000000', '20241301000000', '20240132000000', '20240102240000', '20240102036000', '2024010203040', '20240102030405.1234', ' 20240102030405', '']) {
      assert.equal(parseFtpTimestamp(bad), undefined, bad);
    }
  });

  test('MDTM has a setting form only for 14 digits, a space and a path; anything else is a path', () => {
    assert.deepEqual(parseMdtmSetForm('20210101000000 stamp.txt'), { when: new Date(Date.UTC(2021, 0, 1)), path: 'stamp.txt' });
    assert.deepEqual(parseMdtmSetForm('20210101000000.25 a b.txt'), { when: new Date(Date.UTC(2021, 0, 1, 0, 0, 0, 250)), path: 'a b.txt' });
    assert.deepEqual(parseMdtmSetForm('20211301000000 x'), { when: undefined, path: 'x' }, 'the shape of a set form with no real date');
    assert.equal(parseMdtmSetForm('hello.txt'), undefined);
    assert.equal(parseMdtmSetForm('2021 report.txt'), undefined);
    assert.equal(parseMdtmSetForm('20210101000000'), undefined);
  });

  test('MFMT needs a timestamp, one space and a path; the timestamp may be no date', () => {
    assert.deepEqual(parseMfmtArgument('20200304050607 stamp.txt'), { when: new Date(Date.UTC(2020, 2, 4, 5, 6, 7)), path: 'stamp.txt' });
    assert.deepEqual(parseMfmtArgument('20200304050607 with  spaces'), { when: new Date(Date.UTC(2020, 2, 4, 5, 6, 7)), path: 'with  spaces' });
    assert.deepEqual(parseMfmtArgument('yesterday file'), { when: undefined, path: 'file' });
    assert.equal(parseMfmtArgument('20200304050607'), undefined);
    assert.equal(parseMfmtArgument('20200304050607 '), undefined);
  });
});

describe('SITE', () => {
  test('HELP, CHMOD <octal> <path> (permission bits only) and unknown sub-commands', () => {
    assert.deepEqual(parseSiteArgument('help'), { kind: 'help' });
    assert.deepEqual(parseSiteArgument('CHMOD 644 a.txt'), { kind: 'chmod', mode: 0o644, path: 'a.txt' });
    assert.deepEqual(parseSiteArgument('chmod 4755 my file.sh'), { kind: 'chmod', mode: 0o755, path: 'my file.sh' });
    assert.deepEqual(parseSiteArgument('UMASK 022'), { kind: 'unknown', name: 'UMASK' });
    for (const bad of ['CHMOD', 'CHMOD 644', 'CHMOD 888 a', 'CHMOD 64 a', 'CHMOD 77777 a', 'CHMOD rwx a']) {
      assert.deepEqual(parseSiteArgument(bad), { kind: 'chmod-syntax' }, bad);
    }
  });
});

describe('OPTS', () => {
  test('UTF8 (or UTF-8) is on unless the client asks for anything but ON', () => {
    assert.deepEqual(parseOptsArgument('UTF8 ON'), { option: 'UTF8', on: true });
    assert.deepEqual(parseOptsArgument('utf-8'), { option: 'UTF8', on: true });
    assert.deepEqual(parseOptsArgument('UTF8 on'), { option: 'UTF8', on: true });
    assert.deepEqual(parseOptsArgument('UTF8 OFF'), { option: 'UTF8', on: false });
  });

  test('MLST keeps the known facts in the order given and drops the rest', () => {
    assert.deepEqual(parseOptsArgument('MLST size;Type;nonsense;modify;'), { option: 'MLST', facts: ['size', 'type', 'modify'] });
    assert.deepEqual(parseOptsArgument('MLST'), { option: 'MLST', facts: [] });
  });

  test('HASH names an algorithm, upper-cased, or asks which one is selected', () => {
    assert.deepEqual(parseOptsArgument('HASH sha-1'), { option: 'HASH', algorithm: 'SHA-1' });
    assert.deepEqual(parseOptsArgument('HASH'), { option: 'HASH', algorithm: '' });
    assert.deepEqual(parseOptsArgument('MODE Z'), { option: 'unknown' });
  });
});

describe('PROT', () => {
  test('P and C are served, S and E are not offered, anything else is unknown', () => {
    assert.equal(parseProtLevel(' p '), 'P');
    assert.equal(parseProtLevel('C'), 'C');
    assert.equal(parseProtLevel('S'), 'unsupported');
    assert.equal(parseProtLevel('e'), 'unsupported');
    assert.equal(parseProtLevel('X'), undefined);
    assert.equal(parseProtLevel('PP'), undefined);
  });
});

describe('PORT, EPRT, EPSV', () => {
  test('PORT: four address bytes and two port bytes; port 0 and bytes over 255 are refused', () => {
    assert.deepEqual(parsePortArgument('127,0,0,1,4,1'), { host: '127.0.0.1', port: 1025 });
    assert.deepEqual(parsePortArgument(' 10, 0, 0, 2, 0, 21 '), { host: '10.0.0.2', port: 21 });
    for (const bad of ['127,0,0,1,0,0', '256,0,0,1,4,1', '127,0,0,1,4', '127,0,0,1,4,1,1', '127,0,0,1,4,-1', '1234,0,0,1,4,1', '']) {
      assert.equal(parsePortArgument(bad), undefined, bad);
    }
  });

  test('EPRT: any printable delimiter; protocol 1 or 2 with an address of that family; unknown protocols are told apart', () => {
    assert.deepEqual(parseEprtArgument('|1|127.0.0.1|6275|'), { ok: true, host: '127.0.0.1', port: 6275, family: 4 });
    assert.deepEqual(parseEprtArgument('!2!::1!6275!'), { ok: true, host: '::1', port: 6275, family: 6 });
    assert.deepEqual(parseEprtArgument('|3|127.0.0.1|6275|'), { ok: false, reason: 'protocol' });
    for (const bad of ['|1|::1|6275|', '|2|127.0.0.1|6275|', '|1|127.0.0.1|0|', '|1|127.0.0.1|65536|', '|1|127.0.0.1|6275', ' 1 127.0.0.1 6275 ', '|x|127.0.0.1|6275|']) {
      assert.deepEqual(parseEprtArgument(bad), { ok: false, reason: 'syntax' }, bad);
    }
  });

  test('EPSV: nothing, 1, 2 or ALL; other numbers are unknown protocols', () => {
    assert.deepEqual(parseEpsvArgument(''), { kind: 'open' });
    assert.deepEqual(parseEpsvArgument('1'), { kind: 'open', family: 4 });
    assert.deepEqual(parseEpsvArgument('2'), { kind: 'open', family: 6 });
    assert.deepEqual(parseEpsvArgument('all'), { kind: 'all' });
    assert.deepEqual(parseEpsvArgument('3'), { kind: 'protocol' });
    assert.deepEqual(parseEpsvArgument('x'), { kind: 'syntax' });
  });
});

describe('LIST options', () => {
  test('leading ls flags are options; the rest, spaces kept, is the path', () => {
    assert.deepEqual(splitListArguments('-la'), { options: '-la', path: '' });
    assert.deepEqual(splitListArguments('-a -l my dir'), { options: '-a -l', path: 'my dir' });
    assert.deepEqual(splitListArguments('dir'), { options: '', path: 'dir' });
    assert.deepEqual(splitListArguments('-1.txt'), { options: '', path: '-1.txt' });
    assert.deepEqual(splitListArguments(''), { options: '', path: '' });
  });
});
