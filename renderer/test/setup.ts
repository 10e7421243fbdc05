/**
 * Vitest setup of the window's tests: unmount after each test (Testing Library's automatic
 * cleanup needs Vitest globals, which this project does not turn on).
 */
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { renderProbe } from '../components/render-probe.js';

afterEach(() => {
  cleanup();
  renderProbe.onRender = undefined;
});
