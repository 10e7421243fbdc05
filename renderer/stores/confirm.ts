/**
 * The one question the window may be asking (e.g. "2 people will be disconnected"), answered by
 * the confirmation dialog. Actions await {@link ConfirmStore.ask}; a new question cancels one
 * still open, so two quick clicks never leave a promise hanging.
 */
import { createStore } from 'zustand/vanilla';

export interface Question {
  title: string;
  body: string;
  /** The button that goes ahead, e.g. "Restart sharing". */
  confirmLabel: string;
}

export interface ConfirmStore {
  question: Question | null;
  /** Shows the question; resolves true for the confirm button, false for Cancel or Escape. */
  ask(question: Question): Promise<boolean>;
  answer(yes: boolean): void;
}

export function createConfirmStore() {
  let resolve: ((yes: boolean) => void) | undefined;
  return createStore<ConfirmStore>()((set) => ({
    question: null,
    ask(question) {
      resolve?.(false);
      set({ question });
      return new Promise<boolean>((r) => {
        resolve = r;
      });
    },
    answer(yes) {
      const r = resolve;
      resolve = undefined;
      set({ question: null });
      r?.(yes);
    },
  }));
}

export type ConfirmStoreApi = ReturnType<typeof createConfirmStore>;
