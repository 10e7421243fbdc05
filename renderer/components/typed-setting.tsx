/**
 * Settings typed as whole numbers (a port, a connection limit): the input, and its commit. The
 * text is parsed and a problem is shown under the field without saving; otherwise it is saved,
 * and a save the user cancelled (the restart question answered "no") puts the value in use back.
 */
import { useState } from 'react';
import type { SaveOutcome } from '../stores/app-stores.js';
import type { Parsed } from '../format.js';
import { CommitInput } from './ui.js';

export function useTypedSetting<T>(parse: (text: string) => Parsed<T>, save: (value: T) => Promise<SaveOutcome>) {
  const [localError, setLocalError] = useState<string | undefined>();
  const commit = async (text: string): Promise<'revert' | undefined> => {
    const parsed = parse(text);
    if ('error' in parsed) {
      setLocalError(parsed.error);
      return undefined;
    }
    setLocalError(undefined);
    return (await save(parsed.value)) === 'cancelled' ? 'revert' : undefined;
  };
  return { localError, clearLocalError: () => setLocalError(undefined), commit };
}

/** The number input of a Field (given the ids its render function receives), committed on Enter or blur. */
export function NumberInput({
  field,
  value,
  onCommit,
}: {
  field: { id: string; describedBy: string | undefined; invalid: boolean };
  value: number;
  onCommit: (text: string) => Promise<unknown>;
}) {
  return (
    <CommitInput
      id={field.id}
      className="input number-input"
      inputMode="numeric"
      value={String(value)}
      aria-describedby={field.describedBy}
      aria-invalid={field.invalid || undefined}
      onCommit={onCommit}
    />
  );
}
