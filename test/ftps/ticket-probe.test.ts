import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { countFreshTickets, createDataSecureContext } from '../../core/ftp/tls-contexts.js';
import { buildSecureContextOptions, generateCertificate } from '../../core/tls/index.js';
import { startServer } from '../helpers/server-fixture.js';

test('the ticket probe sees the control context issue tickets and the data context none', async () => {
  const { cert, key } = await generateCertificate();
  const options = { ...buildSecureContextOptions({ cert, key }).contextOptions, sessionIdContext: 'ftp-share' };
  const control = tls.createSecureContext(options);
  const data = createDataSecureContext(options, control);
  assert.ok((await countFreshTickets(control)) > 0, 'a normal TLS 1.3 server context sends tickets, or the probe is blind');
  assert.equal(await countFreshTickets(data), 0);
});

test('an FTPS server on this Node starts without a ticket warning', async () => {
  const { cert, key } = await generateCertificate();
  const fixture = await startServer({ tls: { mode: 'explicit', cert, key } });
  try {
    const warnings = fixture.events.filter((e) => e.type === 'warning');
    assert.deepEqual(warnings, []);
  } finally {
    await fixture.close();
  }
});
