import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserWindowConstructorOptions, HeadersReceivedResponse, OnHeadersReceivedListenerDetails, Session } from 'electron';
import {
  CONTENT_SECURITY_POLICY,
  createAppWindow,
  denyWindowOpen,
  secureSession,
  secureWebPreferences,
  showWindow,
  withContentSecurityPolicy,
  type AppWindow,
} from '../../electron/window.js';

describe('window security', () => {
  it('web preferences: context isolation and sandbox on, no Node anywhere', () => {
    const prefs = secureWebPreferences('/app/dist/electron/preload.cjs');
    assert.equal(prefs.preload, '/app/dist/electron/preload.cjs');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
  });

  it('the CSP allows only our own scripts: no inline, no eval, nothing remote', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values] as const;
      }),
    );
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.deepEqual(directives.get('style-src'), ["'self'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'none'"]);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.ok(!CONTENT_SECURITY_POLICY.includes('unsafe-'), 'no unsafe-inline or unsafe-eval');
    assert.ok(!/https?:|\*/.test(CONTENT_SECURITY_POLICY), 'no remote sources or wildcards');
  });

  it('puts our CSP in place of any other in response headers', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["default-src *"],
      'Content-Security-Policy-Report-Only': ['x'],
      'Content-Type': ['text/html'],
    });
    assert.deepEqual(headers, { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    assert.deepEqual(withContentSecurityPolicy(undefined), { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('secures the session: CSP on every response, every permission denied', () => {
    let headersListener: ((d: OnHeadersReceivedListenerDetails, cb: (r: HeadersReceivedResponse) => void) => void) | undefined;
    let requestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | undefined;
    let checkHandler: (() => boolean) | undefined;
    const session = {
      webRequest: {
        onHeadersReceived(listener: typeof headersListener) {
          headersListener = listener;
        },
      },
      setPermissionRequestHandler(handler: typeof requestHandler) {
        requestHandler = handler;
      },
      setPermissionCheckHandler(handler: typeof checkHandler) {
        checkHandler = handler;
      },
    } as unknown as Session;
    secureSession(session);

    let response: HeadersReceivedResponse | undefined;
    headersListener!({ responseHeaders: { 'x-a': ['1'] } } as unknown as OnHeadersReceivedListenerDetails, (r) => (response = r));
    assert.deepEqual(response, { responseHeaders: { 'x-a': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    let granted: boolean | undefined;
    requestHandler!({}, 'media', (g) => (granted = g));
    assert.equal(granted, false);
    assert.equal(checkHandler!(), false);
  });

  it('denies every new window, handing https links to the browser', () => {
    const opened: string[] = [];
    const open = (url: string) => opened.push(url);
    assert.deepEqual(denyWindowOpen({ url: 'https://example.org/help' }, open), { action: 'deny' });
    assert.deepEqual(denyWindowOpen({ url: 'http://example.org/' }, open), { action: 'deny' });
    assert.deepEqual(denyWindowOpen({ url: 'file:///etc/passwd' }, open), { action: 'deny' });
    assert.deepEqual(denyWindowOpen({ url: 'javascript:alert(1)' }, open), { action: 'deny' });
    assert.deepEqual(denyWindowOpen({ url: 'https://x.example/' }), { action: 'deny' });
    assert.deepEqual(opened, ['https://example.org/help']);
  });
});

/** A BrowserWindow stand-in that records its options, listeners and calls. */
function fakeWindowClass(loadResult: Promise<void> = Promise.resolve()) {
  const made: FakeWindow[] = [];
  class FakeWindow {
    readonly calls: string[] = [];
    readonly windowEvents = new Map<string, (...args: unknown[]) => void>();
    readonly contentsEvents = new Map<string, (event: { preventDefault(): void }) => void>();
    openHandler: ((details: { url: string }) => unknown) | undefined;
    minimized = true;
    readonly webContents = {
      on: (event: string, listener: (event: { preventDefault(): void }) => void) => {
        this.contentsEvents.set(event, listener);
      },
      setWindowOpenHandler: (handler: (details: { url: string }) => unknown) => {
        this.openHandler = handler;
      },
    };
    constructor(readonly options: BrowserWindowConstructorOptions) {
      made.push(this);
    }
    loadFile(file: string) {
      this.calls.push(`loadFile(${file})`);
      return loadResult;
    }
    once(event: string, listener: () => void) {
      this.windowEvents.set(event, listener);
      return this;
    }
    on(event: string, listener: () => void) {
      this.windowEvents.set(event, listener);
      return this;
    }
    show() {
      this.calls.push('show');
    }
    focus() {
      this.calls.push('focus');
    }
    restore() {
      this.calls.push('restore');
      this.minimized = false;
    }
    isMinimized() {
      return this.minimized;
    }
  }
  return { BrowserWindow: FakeWindow as unknown as new (o: BrowserWindowConstructorOptions) => AppWindow & FakeWindow, made };
}

describe('createAppWindow', () => {
  it('creates a hidden, locked-down window, loads index.html and shows it when ready', async () => {
    const { BrowserWindow, made } = fakeWindowClass();
    createAppWindow({ BrowserWindow, preloadPath: '/d/electron/preload.cjs', indexHtmlPath: '/d/renderer/index.html', iconPath: '/d/electron/icon.png' });
    const window = made[0]!;
    assert.equal(window.options.show, false);
    assert.equal(window.options.icon, '/d/electron/icon.png');
    assert.deepEqual(window.options.webPreferences, secureWebPreferences('/d/electron/preload.cjs'));
    assert.deepEqual(window.calls, ['loadFile(/d/renderer/index.html)']);
    window.windowEvents.get('ready-to-show')!();
    assert.deepEqual(window.calls, ['loadFile(/d/renderer/index.html)', 'show']);
  });

  it('prevents navigation, redirects and webviews, and denies new windows', () => {
    const { BrowserWindow, made } = fakeWindowClass();
    const external: string[] = [];
    createAppWindow({ BrowserWindow, preloadPath: 'p', indexHtmlPath: 'i', openExternal: (u) => external.push(u) });
    const window = made[0]!;
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      window.contentsEvents.get(name)!({ preventDefault: () => (prevented = true) });
      assert.ok(prevented, `${name} is prevented`);
    }
    assert.deepEqual(window.openHandler!({ url: 'https://example.org/' }), { action: 'deny' });
    assert.deepEqual(window.openHandler!({ url: 'file:///x' }), { action: 'deny' });
    assert.deepEqual(external, ['https://example.org/']);
  });

  it('does not show a hidden window by itself, and reports a page that fails to load', async () => {
    const failure = new Error('ERR_FILE_NOT_FOUND');
    const { BrowserWindow, made } = fakeWindowClass(Promise.reject(failure));
    const errors: unknown[] = [];
    createAppWindow({ BrowserWindow, preloadPath: 'p', indexHtmlPath: 'i', hidden: true, onLoadError: (e) => errors.push(e) });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(made[0]!.windowEvents.has('ready-to-show'), false);
    assert.deepEqual(errors, [failure]);
  });

  it('showWindow restores a minimized window, shows and focuses it', () => {
    const { BrowserWindow, made } = fakeWindowClass();
    createAppWindow({ BrowserWindow, preloadPath: 'p', indexHtmlPath: 'i' });
    const window = made[0]!;
    window.calls.length = 0;
    showWindow(window);
    assert.deepEqual(window.calls, ['restore', 'show', 'focus']);
    window.calls.length = 0;
    showWindow(window);
    assert.deepEqual(window.calls, ['show', 'focus']);
  });
});
