/**
 * Keyboard use of the window's frame: arrow keys move between panels (roving tab stop), pushed
 * notices become toasts.
 */
import { act, fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp, tab } from './render-app.js';

describe('keyboard and notices', () => {
  it('moves between panels with the arrow keys, Home and End', async () => {
    await renderApp();
    const share = tab(/Share/);
    expect(share.getAttribute('aria-selected')).toBe('true');
    expect(share.tabIndex).toBe(0);
    expect(tab(/Connect/).tabIndex).toBe(-1);
    share.focus();
    fireEvent.keyDown(share, { key: 'ArrowDown' });
    expect(tab(/Connect/).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab(/Connect/));
    expect(screen.getByRole('tabpanel', { name: 'Connect' })).toBeTruthy();
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(screen.getByRole('tabpanel', { name: 'Log' })).toBeTruthy();
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(screen.getByRole('tabpanel', { name: 'Share' })).toBeTruthy();
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(screen.getByRole('tabpanel', { name: 'Log' })).toBeTruthy();
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(screen.getByRole('tabpanel', { name: 'Share' })).toBeTruthy();
  });

  it('shows pushed notices as toasts that can be dismissed', async () => {
    const { fake } = await renderApp();
    act(() => fake.emit('notice', { level: 'warn', text: 'Auto-stop in 1 minute' }));
    expect(screen.getByText('Auto-stop in 1 minute')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('Auto-stop in 1 minute')).toBeNull();
  });
});
