/**
 * The Network card's connection limits: two fields that show the saved limits and save a typed
 * whole number on Enter; a typo, or a device allowed more than everyone together, is explained
 * under the field typed in without asking anything; the share's refusal shows there too; and
 * since a change restarts sharing, people connected are asked about.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeApi, session } from './fake-api.js';
import { renderApp } from './render-app.js';

/** Types `value` into the field named `name` and presses Enter. */
function type(name: string, value: string): HTMLElement {
  const field = screen.getByRole('textbox', { name });
  fireEvent.change(field, { target: { value } });
  fireEvent.keyDown(field, { key: 'Enter' });
  return field;
}

describe('the connection limits in the Network card', () => {
  it('shows the saved limits and saves each typed one', async () => {
    const { fake } = await renderApp();
    expect(screen.getByRole('textbox', { name: 'Connection limit' })).toHaveProperty('value', '500');
    expect(screen.getByRole('textbox', { name: 'Connection limit per device' })).toHaveProperty('value', '100');
    type('Connection limit', '1000');
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ maxConnections: 1000 }]));
    type('Connection limit per device', ' 600 ');
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ maxConnections: 1000 }, { maxConnectionsPerAddress: 600 }]));
    expect(fake.settings).toMatchObject({ maxConnections: 1000, maxConnectionsPerAddress: 600 });
  });

  it('explains a value the share would refuse under its field, and saves nothing', async () => {
    const { fake } = await renderApp();
    const range = (name: string) => `${name} must be a whole number between 1 and 10000`;
    for (const [name, value, message] of [
      ['Connection limit', 'many', range('Connection limit')],
      ['Connection limit', '10001', range('Connection limit')],
      ['Connection limit', '50', "Connection limit can't be less than the limit per device (100)"],
      ['Connection limit per device', '0', range('Connection limit per device')],
      ['Connection limit per device', '2.5', range('Connection limit per device')],
      ['Connection limit per device', '501', "Connection limit per device can't be more than the connection limit (500)"],
    ] as const) {
      const field = type(name, value);
      expect(field.getAttribute('aria-invalid')).toBe('true');
      expect(document.getElementById(field.getAttribute('aria-describedby')!.split(' ')[0]!)?.textContent).toBe(message);
    }
    expect(fake.callsTo('updateSettings')).toEqual([]);
    // A good value takes the message away.
    type('Connection limit per device', '50');
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Connection limit per device' }).getAttribute('aria-invalid')).toBeNull());
  });

  it("shows the share's refusal under the field it names (the total changed meanwhile, from the command line)", async () => {
    const fake = new FakeApi();
    fake.updateSettings = async (patch) => {
      fake.calls.push({ name: 'updateSettings', params: patch });
      return {
        ok: false,
        code: 'invalid-settings',
        message: 'Invalid settings',
        fields: [{ field: 'maxConnectionsPerAddress', message: "Connection limit per device can't be more than the connection limit (40)" }],
      };
    };
    await renderApp({ fake });
    type('Connection limit per device', '50');
    expect((await screen.findByRole('alert')).textContent).toBe("Connection limit per device can't be more than the connection limit (40)");
  });

  it('asks before restarting sharing with people connected; Cancel keeps the limit', async () => {
    const fake = new FakeApi();
    await fake.start();
    fake.calls = [];
    fake.setSessions([session('s1')]);
    await renderApp({ fake });
    const field = type('Connection limit per device', '300');
    const question = await screen.findByRole('alertdialog', { name: '1 person will be disconnected' });
    expect(question.textContent).toContain('Changing the connection limit per device restarts sharing');
    fireEvent.click(within(question).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(field).toHaveProperty('value', '100'));
    expect(fake.callsTo('updateSettings')).toEqual([]);

    type('Connection limit', '800');
    const again = await screen.findByRole('alertdialog');
    expect(again.textContent).toContain('Changing the connection limit restarts sharing');
    fireEvent.click(within(again).getByRole('button', { name: 'Restart sharing' }));
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ maxConnections: 800 }]));
  });
});
