/**
 * The web page for phones in the window: the Connect panel leads with its address and a QR code
 * that signs in (said plainly, "New code", the switch), the ftp:// address keeps its own code, the
 * address picker and the `.local` names apply to both; the Share panel's switch and port (both
 * restart sharing, so they ask first); Sessions and Transfers say which protocol each row is.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TransferRow } from '../../core/share/contract.js';
import { qrPath } from '../qr-path.js';
import { FakeApi, emptyTransfers, session } from './fake-api.js';
import { renderApp } from './render-app.js';

async function running(setUp?: (fake: FakeApi) => void): Promise<FakeApi> {
  const fake = new FakeApi();
  setUp?.(fake);
  await fake.start();
  fake.calls = [];
  return fake;
}

/** The text a drawn QR code carries: its path must be the one drawn from `text`. */
function carries(name: string, text: string): void {
  const qr = screen.getByRole('img', { name });
  expect(qr.querySelector('path')?.getAttribute('d')).toBe(qrPath(text).path);
}

describe('Connect panel with the web page', () => {
  it('leads with the web address, and its QR code signs in with the token', async () => {
    await renderApp({ fake: await running(), panel: 'connect' });
    const headings = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent?.trim());
    expect(headings.slice(0, 2)).toEqual(['Open on a phone or in a browser', 'In an FTP app']);
    expect(document.querySelector('.big-url')?.textContent).toBe('http://192.168.1.23:8080/');
    carries('QR code of http://192.168.1.23:8080/', 'http://192.168.1.23:8080/?token=tok1');
    expect(screen.getByRole('note').textContent).toMatch(/Anyone who scans this code can get in as ftp, without a password/);
    // The ftp:// address keeps its own code, for FTP apps.
    carries('QR code of ftp://192.168.1.23:2121', 'ftp://192.168.1.23:2121');
    expect(document.querySelector('.ftp-url')?.textContent).toBe('ftp://192.168.1.23:2121');
    // The credentials, once.
    expect(screen.getAllByText('k7hq3mzt9wcx2vbn4pds')).toHaveLength(1);
    // The link the code carries, for a device that can't scan.
    fireEvent.click(screen.getByText('Sign-in link'));
    expect(screen.getByText('http://192.168.1.23:8080/?token=tok1')).toBeTruthy();
  });

  it('"New code" asks for a new token and the QR code follows', async () => {
    const { fake } = await renderApp({ fake: await running(), panel: 'connect' });
    fireEvent.click(screen.getByRole('button', { name: 'New code' }));
    await waitFor(() => carries('QR code of http://192.168.1.23:8080/', 'http://192.168.1.23:8080/?token=tok2'));
    expect(fake.callsTo('newSignInCode')).toHaveLength(1);
    expect(await screen.findByText('New code made — the old one no longer signs in')).toBeTruthy();
  });

  it('the switch "QR code signs in" saves qrSignIn; off, the code holds the plain address', async () => {
    const { fake } = await renderApp({ fake: await running(), panel: 'connect' });
    const toggle = screen.getByRole('switch', { name: 'QR code signs in' });
    expect(toggle).toHaveProperty('checked', true);
    fireEvent.click(toggle);
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ web: { enabled: true, port: 8080, qrSignIn: false } }]));
    await waitFor(() => carries('QR code of http://192.168.1.23:8080/', 'http://192.168.1.23:8080/'));
    expect(screen.queryByRole('button', { name: 'New code' })).toBeNull();
    expect(screen.queryByText(/Anyone who scans/)).toBeNull();
    expect(screen.getByText(/The code holds only the address/)).toBeTruthy();
    // Not a restart: nobody is asked anything, even with people connected.
    fake.setSessions([session('s1')]);
    fireEvent.click(screen.getByRole('switch', { name: 'QR code signs in' }));
    await waitFor(() => expect(fake.callsTo('updateSettings')).toHaveLength(2));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('an anonymous share has no sign-in code and no switch', async () => {
    await renderApp({ fake: await running((f) => (f.settings.access = { mode: 'anonymous' })), panel: 'connect' });
    carries('QR code of http://192.168.1.23:8080/', 'http://192.168.1.23:8080/');
    expect(screen.queryByRole('switch', { name: 'QR code signs in' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'New code' })).toBeNull();
  });

  it('the address picker applies to both codes', async () => {
    const { fake } = await renderApp({ fake: await running(), panel: 'connect' });
    fireEvent.click(screen.getByRole('radio', { name: /VPN \(utun3\)/ }));
    await waitFor(() => carries('QR code of http://10.8.0.5:8080/', 'http://10.8.0.5:8080/?token=tok1'));
    carries('QR code of ftp://10.8.0.5:2121', 'ftp://10.8.0.5:2121');
    expect(fake.callsTo('updateSettings')).toEqual([{ advertisedAddress: '10.8.0.5' }]);
  });

  it('offers the .local names with a note that not every device resolves them; the IP stays the default', async () => {
    await renderApp({ fake: await running(), panel: 'connect' });
    const ip = screen.getByRole('radio', { name: /IP address/ });
    const local = screen.getByRole('radio', { name: /\.local name/ });
    expect(ip).toHaveProperty('checked', true);
    expect(screen.getByText(/not every device resolves \.local names \(many Android phones don’t\)/)).toBeTruthy();
    expect(local.getAttribute('aria-describedby')).toBe('local-name-hint');
    fireEvent.click(local);
    carries('QR code of http://ftp-share-annes-mac.local:8080/', 'http://ftp-share-annes-mac.local:8080/?token=tok1');
    carries('QR code of ftp://ftp-share-annes-mac-ftp.local:2121/', 'ftp://ftp-share-annes-mac-ftp.local:2121/');
    fireEvent.click(ip);
    carries('QR code of http://192.168.1.23:8080/', 'http://192.168.1.23:8080/?token=tok1');
  });

  it('shows the certificate fingerprint when the page is served over HTTPS', async () => {
    await renderApp({
      fake: await running((f) => {
        f.settings.ftps = 'explicit';
        f.webSecure = true;
      }),
      panel: 'connect',
    });
    expect(document.querySelector('.big-url')?.textContent).toBe('https://192.168.1.23:8080/');
    const card = screen.getByRole('region', { name: /Open on a phone/ });
    expect(within(card).getByText(/certificate is not trusted/).textContent).toMatch(/fingerprint starts with AB:CD:EF:01/);
  });
});

describe('Share panel: the web page switch and port', () => {
  it('turns the web page off and on, and saves its port', async () => {
    const { fake } = await renderApp();
    const toggle = screen.getByRole('switch', { name: 'Web page for phones and browsers' });
    expect(toggle).toHaveProperty('checked', true);
    const port = screen.getByRole('textbox', { name: 'Web page port' });
    expect(port).toHaveProperty('value', '8080');
    fireEvent.change(port, { target: { value: '8090' } });
    fireEvent.keyDown(port, { key: 'Enter' });
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ web: { enabled: true, port: 8090, qrSignIn: true } }]));

    fireEvent.change(port, { target: { value: 'http' } });
    fireEvent.keyDown(port, { key: 'Enter' });
    expect((await screen.findByRole('alert')).textContent).toBe('Port must be a whole number between 1 and 65535');

    fireEvent.click(toggle);
    await waitFor(() => expect(fake.settings.web.enabled).toBe(false));
    expect(screen.queryByRole('textbox', { name: 'Web page port' })).toBeNull();
  });

  it('both restart sharing: with people connected they ask first', async () => {
    const fake = await running();
    fake.setSessions([session('s1'), session('s2', { protocol: 'web' })]);
    await renderApp({ fake });
    fireEvent.click(screen.getByRole('switch', { name: 'Web page for phones and browsers' }));
    const question = await screen.findByRole('alertdialog', { name: '2 people will be disconnected' });
    expect(question.textContent).toContain('Turning the web page on or off restarts sharing');
    fireEvent.click(within(question).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(fake.callsTo('updateSettings')).toEqual([]);
    expect(screen.getByRole('switch', { name: 'Web page for phones and browsers' })).toHaveProperty('checked', true);

    const port = screen.getByRole('textbox', { name: 'Web page port' });
    fireEvent.change(port, { target: { value: '8090' } });
    fireEvent.keyDown(port, { key: 'Enter' });
    const again = await screen.findByRole('alertdialog');
    expect(again.textContent).toContain('Changing the web page’s port restarts sharing');
    fireEvent.click(within(again).getByRole('button', { name: 'Restart sharing' }));
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ web: { enabled: true, port: 8090, qrSignIn: true } }]));
  });

  it("shows the share's refusal of the port under the field", async () => {
    const fake = new FakeApi();
    fake.updateSettings = async (patch) => {
      fake.calls.push({ name: 'updateSettings', params: patch });
      return { ok: false, code: 'invalid-settings', message: 'Invalid settings', fields: [{ field: 'web.port', message: 'The web page needs a port of its own, not the FTP port 2121' }] };
    };
    await renderApp({ fake });
    const port = screen.getByRole('textbox', { name: 'Web page port' });
    fireEvent.change(port, { target: { value: '2121' } });
    fireEvent.keyDown(port, { key: 'Enter' });
    expect((await screen.findByRole('alert')).textContent).toBe('The web page needs a port of its own, not the FTP port 2121');
  });
});

describe('Sessions and Transfers say the protocol', () => {
  it('shows Web or FTP and the client, and kicks a web session like an FTP one', async () => {
    const fake = await running();
    fake.setSessions([session('f1'), session('w1', { protocol: 'web', client: 'Safari on iPhone', remoteAddress: '192.168.1.77', user: 'ftp' })]);
    const { fake: api } = await renderApp({ fake, panel: 'sessions' });
    const web = document.querySelector('tr[data-session-id="w1"]') as HTMLElement;
    const ftp = document.querySelector('tr[data-session-id="f1"]') as HTMLElement;
    expect(within(web).getByText('Web')).toBeTruthy();
    expect(within(web).getByText('Safari on iPhone')).toBeTruthy();
    expect(within(ftp).getByText('FTP')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect Safari on iPhone at 192.168.1.77' }));
    await waitFor(() => expect(api.callsTo('kickSession')).toEqual([{ sessionId: 'w1' }]));
    await waitFor(() => expect(document.querySelector('tr[data-session-id="w1"]')).toBeNull());
  });

  it('marks active and finished transfers with their protocol', async () => {
    const fake = await running();
    const row = (id: string, patch: Partial<TransferRow>): TransferRow => ({
      transferId: id,
      sessionId: 'w1',
      protocol: 'web',
      remoteAddress: '192.168.1.77',
      path: `/Pictures/${id}.jpg`,
      direction: 'download',
      bytes: 10,
      size: 100,
      bytesPerSecond: 5,
      startedAt: Date.now(),
      secure: false,
      ...patch,
    });
    fake.setTransfers({
      ...emptyTransfers(),
      active: [row('a', {})],
      finished: [row('b', { direction: 'upload', result: 'done', finishedAt: Date.now() }), row('c', { protocol: 'ftp', result: 'done', finishedAt: Date.now() })],
    });
    await renderApp({ fake, panel: 'transfers' });
    const active = document.querySelector('li[data-transfer-id="a"]') as HTMLElement;
    expect(within(active).getByText('Web')).toBeTruthy();
    expect(within(document.querySelector('tr[data-transfer-id="b"]') as HTMLElement).getByText('Web')).toBeTruthy();
    expect(within(document.querySelector('tr[data-transfer-id="c"]') as HTMLElement).getByText('FTP')).toBeTruthy();
  });
});

describe('a busy web page port', () => {
  it('"Use port N and start" changes the web page port, not the FTP one', async () => {
    const fake = new FakeApi();
    fake.busyPorts.add(8080);
    const { fake: api } = await renderApp({ fake });
    fireEvent.click(screen.getByRole('button', { name: 'Start sharing' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Use port 8081 and start' }));
    await waitFor(() => expect(api.state.status).toBe('running'));
    expect(api.callsTo('updateSettings')).toEqual([{ web: { enabled: true, port: 8081, qrSignIn: true } }]);
    expect(api.settings.port).toBe(2121);
  });
});
