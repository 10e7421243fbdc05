/**
 * The commit of a setting typed into a field (a port, a connection limit): the text is parsed
 * and a problem is shown under the field without saving; otherwise it is saved, and a save the
 * user cancelled (the restart question answered "no") puts the value in use back in the field.
 */
import { useState } from 'react';
import type { SaveOutcome } from '../stores/app-stores.js';

export type Parsed<T> = { value: T } | { error: string };

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
