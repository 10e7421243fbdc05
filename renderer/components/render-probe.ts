/**
 * A render counter for tests: rows report each render here, so a test can prove that a progress
 * tick re-renders only the row that changed. Does nothing unless a test sets `onRender`.
 */
export const renderProbe: { onRender: ((kind: 'transfer' | 'session', id: string) => void) | undefined } = {
  onRender: undefined,
};
