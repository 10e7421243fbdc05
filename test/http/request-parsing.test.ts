/**
 * The pure parsers of the web server: request targets (decoded once, refused when unsafe), byte
 * ranges and validators, and the client names of the Sessions panel.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { clientName } from '../../core/http/client-name.js';
import { hostName } from '../../core/http/http-guard.js';
import { etagListMatches, ifRangeHolds, notModified, parseRange } from '../../core/http/ranges.js';
import { BadRequestTarget, hrefFor, parseRequestTarget, resolveTargetPath } from '../../core/http/request-path.js';

const fs = new PhysicalFileSystem({ root: '/nonexistent-root-for-pure-tests' });
const resolve = (target: string) => resolveTargetPath(parseRequestTarget(target), fs);
const refused = (target: string) => {
  try {
    resolve(target);
  } catch (err) {
    return err instanceof BadRequestTarget ? err.status : 'other';
  }
  return 'accepted';
};

describe('request targets', () => {
  test('percent-decoding happens once; names come back as the resolver normalised them', () => {
    assert.equal(resolve('/a%20b/c%C3%BC.txt'), '/a b/cü.txt');
    assert.equal(resolve('/%2541'), '/%41');
    assert.equal(resolve('//a///b/'), '/a/b');
    assert.equal(resolve('/'), '/');
    assert.deepEqual([...parseRequestTarget('/x/?sort=size&order=desc').query], [['sort', 'size'], ['order', 'desc']]);
    assert.equal(parseRequestTarget('/x/?zip').trailingSlash, true);
    assert.equal(parseRequestTarget('http://h:1/x').authority, 'h:1');
  });

  test('unsafe targets are refused with 400 (414 when too long)', () => {
    for (const target of ['/..', '/a/../b', '/%2e%2e/x', '/%2E', '/a%2fb', '/a%2Fb', '/a%5cb', '/a\\b', '/a%00b', '/%ff', '/%c0%ae', '/%e2%82', '/%zz', '/%4', '/é', 'x', '*']) {
      assert.equal(refused(target), 400, target);
    }
    assert.equal(refused('/' + 'a'.repeat(20_000)), 414);
    assert.equal(refused('/' + 'abcdefgh/'.repeat(600)), 414);
  });

  test('hrefs encode every name', () => {
    assert.equal(hrefFor('/a b/#?%.txt', false), '/a%20b/%23%3F%25.txt');
    assert.equal(hrefFor('/dir', true), '/dir/');
    assert.equal(hrefFor('/', true), '/');
  });
});

describe('ranges and validators', () => {
  test('single ranges, suffixes, open ends; unsatisfiable and ignored forms', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'range', start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'range', start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'range', start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-1000', 100), { kind: 'range', start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=50-5000', 100), { kind: 'range', start: 50, end: 99 });
    assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
    for (const ignored of [undefined, 'bytes=5-1', 'bytes=0-1,5-6', 'items=0-1', 'bytes=a-b', 'bytes=-']) assert.deepEqual(parseRange(ignored, 100), { kind: 'whole' }, String(ignored));
    const big = 5 * 1024 ** 3;
    assert.deepEqual(parseRange(`bytes=${big - 1}-`, big), { kind: 'range', start: big - 1, end: big - 1 });
  });

  test('If-None-Match (weak comparison, lists, *), If-Modified-Since, If-Range (strong only)', () => {
    const modified = new Date('2024-05-01T10:00:00.500Z');
    assert.ok(etagListMatches('"a", W/"b"', '"b"'));
    assert.ok(etagListMatches('*', '"x"'));
    assert.ok(!etagListMatches('"a"', '"b"'));
    assert.ok(notModified({ 'if-none-match': '"e"', 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' }, '"e"', modified));
    assert.ok(!notModified({ 'if-none-match': '"x"', 'if-modified-since': modified.toUTCString() }, '"e"', modified));
    assert.ok(notModified({ 'if-modified-since': 'Wed, 01 May 2024 10:00:00 GMT' }, '"e"', modified));
    assert.ok(!notModified({ 'if-modified-since': 'Wed, 01 May 2024 09:59:59 GMT' }, '"e"', modified));
    assert.ok(ifRangeHolds(undefined, '"e"', modified));
    assert.ok(ifRangeHolds('"e"', '"e"', modified));
    assert.ok(!ifRangeHolds('W/"e"', '"e"', modified));
    assert.ok(ifRangeHolds('Wed, 01 May 2024 10:00:00 GMT', '"e"', modified));
    assert.ok(!ifRangeHolds('Wed, 01 May 2024 10:00:01 GMT', '"e"', modified));
  });
});

describe('names', () => {
  test('browsers and devices as people name them; command-line clients by product', () => {
    assert.equal(clientName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'), 'Safari on iPhone');
    assert.equal(clientName('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36'), 'Chrome on Android');
    assert.equal(clientName('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0'), 'Firefox on Windows');
    assert.equal(clientName('curl/8.5.0'), 'curl');
    assert.equal(clientName('Wget/1.21.3'), 'Wget');
    assert.equal(clientName(undefined), undefined);
  });

  test('Host values: ports, brackets, a trailing dot and case do not matter', () => {
    assert.equal(hostName('LOCALHOST:8080'), 'localhost');
    assert.equal(hostName('[::1]:8080'), '::1');
    assert.equal(hostName('[fe80::1%25eth0]'), 'fe80::1');
    assert.equal(hostName('mac.local.'), 'mac.local');
    assert.equal(hostName('a:b:c'), undefined);
    assert.equal(hostName('[::1]x'), undefined);
  });
});
