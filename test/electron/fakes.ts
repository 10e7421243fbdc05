/**
 * Fakes of the Electron objects the shell's modules take, for Node tests (no Electron binary).
 * Each records what was done to it; casts to Electron's types happen here, once.
 */
import type { IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import type { IpcMainLike, PushTarget } from '../../electron/ipc.js';
import type { IpcRendererLike } from '../../electron/preload-api.js';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

/** An `ipcMain` that keeps its handlers, and lets a test invoke them as a renderer would. */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, listener: Handler): void {
    // Electron throws on a second handler for a channel; so does the fake.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** Calls the handler of `channel` as `ipcRenderer.invoke(channel, ...args)` from `event`'s sender would. */
  async invoke(channel: string, event: IpcMainInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}

/** A frame as `event.senderFrame` gives it. */
export function fakeFrame(url: string, parent: WebFrameMain | null = null): WebFrameMain {
  return { url, parent } as unknown as WebFrameMain;
}

/** An invoke event from the web contents `senderId`, sent by `frame` (null: navigated away). */
export function invokeEvent(senderId: number, frame: WebFrameMain | null): IpcMainInvokeEvent {
  return {
    sender: { id: senderId } as unknown as WebContents,
    senderFrame: frame,
    frameId: 1,
    processId: 1,
    type: 'frame',
    preventDefault() {},
    defaultPrevented: false,
  } as unknown as IpcMainInvokeEvent;
}

/** A `webContents.send` target that records what it was sent. */
export class FakeWebContents implements PushTarget {
  readonly sent: unknown[][] = [];
  destroyed = false;
  constructor(readonly id = 1) {}
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

type RendererListener = (event: unknown, ...args: unknown[]) => void;

/** An `ipcRenderer` that records invokes and lets a test emit messages from main. */
export class FakeIpcRenderer {
  readonly invoked: unknown[][] = [];
  readonly listeners = new Map<string, RendererListener[]>();
  /** What the next invoke resolves to, per channel. */
  readonly replies = new Map<string, unknown>();
  removed = 0;

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, ...args]);
    return Promise.resolve(this.replies.get(channel) ?? { ok: true, value: channel });
  }

  on(channel: string, listener: RendererListener): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }

  removeListener(channel: string, listener: RendererListener): this {
    const list = this.listeners.get(channel) ?? [];
    const index = list.indexOf(listener);
    if (index >= 0) {
      list.splice(index, 1);
      this.removed++;
    }
    return this;
  }

  /** Delivers a message from main: listeners get (ipcEvent, ...args), as in Electron. */
  emit(channel: string, ipcEvent: unknown, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(channel) ?? [])]) listener(ipcEvent, ...args);
  }

  count(channel: string): number {
    return this.listeners.get(channel)?.length ?? 0;
  }

  /** This fake typed as what createFtpShareApi takes. */
  asIpcRenderer(): IpcRendererLike {
    return this as unknown as IpcRendererLike;
  }
}
