/**
 * The Network card's bandwidth caps: one labelled field per cap with the presets (unlimited, 1,
 * 5, 10, 50 MB/s), saved as settings when chosen; a saved value that is not a preset is shown.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.js';
import { renderApp } from './render-app.js';

describe('the bandwidth caps in the Network card', () => {
  it('offers the presets for each cap and saves the one chosen, keeping the others', async () => {
    const { fake } = await renderApp();
    const download = screen.getByRole('combobox', { name: 'Download speed limit' });
    expect(within(download).getAllByRole('option').map((o) => o.textContent)).toEqual(['Unlimited', '1 MB/s', '5 MB/s', '10 MB/s', '50 MB/s']);
    expect(download).toHaveProperty('value', '0');
    fireEvent.change(download, { target: { value: '5' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Speed limit per device' }), { target: { value: '1' } });
    await waitFor(() =>
      expect(fake.callsTo('updateSettings')).toEqual([
        { bandwidth: { downloadMBps: 5, uploadMBps: 0, perDeviceMBps: 0 } },
        { bandwidth: { downloadMBps: 5, uploadMBps: 0, perDeviceMBps: 1 } },
      ]),
    );
  });

  it('shows a saved cap that is not a preset (set by --max-upload 2.5)', async () => {
    const fake = new FakeApi();
    fake.settings = { ...fake.settings, bandwidth: { downloadMBps: 0, uploadMBps: 2.5, perDeviceMBps: 0 } };
    await renderApp({ fake });
    const upload = screen.getByRole('combobox', { name: 'Upload speed limit' });
    expect(upload).toHaveProperty('value', '2.5');
    expect(within(upload).getByRole('option', { name: '2.5 MB/s' })).toBeTruthy();
  });
});
