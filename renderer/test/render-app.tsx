/**
 * Renders the whole window over a {@link FakeApi}, as the tests' starting point.
 */
import { act, render, screen } from '@testing-library/react';
import { createDirectTransport, type HostKind } from '../api.js';
import { App, type PanelId } from '../app.js';
import { FakeApi } from './fake-api.js';

export async function renderApp(options: { fake?: FakeApi; host?: HostKind; panel?: PanelId } = {}) {
  const fake = options.fake ?? new FakeApi();
  const transport = createDirectTransport(fake, options.host ?? 'web');
  const view = render(<App transport={transport} initialPanel={options.panel ?? 'share'} />);
  // Let the first load (getState, getSettings, … all answered at once by the fake) land.
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  if (!fake.callsTo('getState').length) throw new Error('the window did not load the state');
  return { fake, view };
}

/** A tab of the sidebar. */
export function tab(name: RegExp) {
  return screen.getByRole('tab', { name });
}
