/**
 * checkReachability through the ShareService: refused while stopped; while sharing, it checks the
 * address shown and the running ports for real (here 127.0.0.1, labelled as a LAN address, so
 * the only connections are to this machine), and a share with only a loopback address says that
 * nobody else can use it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CandidateAddress } from '../../core/net/address-types.js';
import { fixedAddresses, startService, unwrap } from './share-service-fixture.js';

const LOOPBACK_AS_LAN: CandidateAddress = { address: '127.0.0.1', family: 'IPv4', interfaceName: 'lo', kind: 'lan', label: 'Test LAN (lo)', rank: 0 };

test('checkReachability: not-running while stopped; the ports answer on the address shown while sharing', { timeout: 60_000 }, async (t) => {
  const f = await startService(t, { service: { addressSource: fixedAddresses([LOOPBACK_AS_LAN]) } });
  const stopped = await f.service.checkReachability();
  assert.equal(!stopped.ok && stopped.code, 'not-running');
  const state = unwrap(await f.service.start());
  t.after(() => f.service.stop());
  const report = unwrap(await f.service.checkReachability());
  assert.equal(report.address, '127.0.0.1');
  assert.equal(report.ports.ftp, state.port);
  const find = (id: string) => report.findings.find((x) => x.id === id);
  assert.equal(find('listener')?.status, 'ok', find('listener')?.detail);
  assert.equal(find('ftp-port')?.status, 'ok', find('ftp-port')?.detail);
  if (state.web) assert.equal(find('web-port')?.status, 'ok', find('web-port')?.detail);
  // Every finding has a title and a detail; fixes are text, never run.
  for (const x of report.findings) assert.ok(x.title && x.detail, JSON.stringify(x));
});

test('checkReachability: only a loopback address is a problem', { timeout: 60_000 }, async (t) => {
  const f = await startService(t);
  unwrap(await f.service.start());
  t.after(() => f.service.stop());
  const report = unwrap(await f.service.checkReachability());
  assert.equal(report.address, undefined);
  assert.equal(report.findings[0]?.id, 'address');
  assert.equal(report.findings[0]?.status, 'problem');
});
