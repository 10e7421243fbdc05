/**
 * The Connect panel's Troubleshoot card over the fake share: "Can others reach me?" lists the
 * findings with their fixes, offers "Open network settings" only where a finding does, and the
 * card is offered first when sharing has run a few minutes with nobody connected.
 */
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeApi } from './fake-api.js';
import { renderApp } from './render-app.js';
import { OFFER_TROUBLESHOOT_AFTER_MS } from '../components/troubleshoot-card.js';

async function runningFake(startedAgoMs = 0): Promise<FakeApi> {
  const fake = new FakeApi();
  await fake.start();
  fake.state = { ...fake.state, startedAt: Date.now() - startedAgoMs, sessionCount: 0 };
  return fake;
}

describe('Troubleshoot card', () => {
  it('runs the check and lists findings with their fixes, problems first', async () => {
    const fake = await runningFake();
    await renderApp({ fake, panel: 'connect' });
    const card = screen.getByRole('region', { name: 'Troubleshoot' });
    fireEvent.click(within(card).getByRole('button', { name: 'Can others reach me?' }));
    const list = await within(card).findByRole('list', { name: 'Findings' });
    expect(fake.callsTo('checkReachability')).toHaveLength(1);
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(4);
    expect(items[0]!.textContent).toContain('Public network');
    expect(within(card).getByText('2 problems found.', { exact: false })).toBeTruthy();
    // The command is shown to copy, never run.
    expect(within(items[1]!).getByText('sudo ufw allow 2121/tcp')).toBeTruthy();
    expect(within(items[1]!).getByRole('button', { name: 'Copy command' })).toBeTruthy();
    // Only the finding that offers it has the settings button.
    expect(within(card).getAllByRole('button', { name: 'Open network settings' })).toHaveLength(1);
    const open = vi.spyOn(window, 'open').mockImplementation(() => null);
    fireEvent.click(within(items[0]!).getByRole('button', { name: 'Open network settings' }));
    expect(open).toHaveBeenCalledWith('ms-settings:network-status');
    open.mockRestore();
  });

  it('says why when the check is refused', async () => {
    const fake = await runningFake();
    await renderApp({ fake, panel: 'connect' });
    fake.checkReachability = async () => ({ ok: false, code: 'internal', message: 'Something went wrong: boom' });
    fireEvent.click(screen.getByRole('button', { name: 'Can others reach me?' }));
    expect((await screen.findByRole('alert')).textContent).toContain('boom');
  });

  it('is offered first, with a banner, after sharing a few minutes with nobody connected', async () => {
    const fake = await runningFake(OFFER_TROUBLESHOOT_AFTER_MS + 1_000);
    await renderApp({ fake, panel: 'connect' });
    const card = screen.getByRole('region', { name: 'Troubleshoot' });
    expect(within(card).getByText('Nobody has connected yet')).toBeTruthy();
    const regions = screen.getAllByRole('region');
    expect(regions[0]).toBe(card);
  });

  it('is not offered early', async () => {
    await renderApp({ fake: await runningFake(1_000), panel: 'connect' });
    expect(screen.getByRole('region', { name: 'Troubleshoot' })).toBeTruthy();
    expect(screen.queryByText('Nobody has connected yet')).toBeNull();
  });

  it('is not offered once someone is connected', async () => {
    const fake = await runningFake(OFFER_TROUBLESHOOT_AFTER_MS + 1_000);
    fake.state = { ...fake.state, sessionCount: 1 };
    await renderApp({ fake, panel: 'connect' });
    expect(screen.queryByText('Nobody has connected yet')).toBeNull();
  });
});
