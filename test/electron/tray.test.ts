import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Menu, MenuItemConstructorOptions, NativeImage } from 'electron';
import type { ShareState } from '../../core/share/contract.js';
import {
  MAX_TOOLTIP_LENGTH,
  TrayService,
  trayModel,
  trayStateFrom,
  type TrayAction,
  type TrayFactory,
  type TrayIconName,
  type TrayItem,
  type TrayState,
} from '../../electron/tray.js';
import { createElectronTrayFactory, trayIconFile, trayMenuTemplate, type ElectronTrayModules } from '../../electron/tray-electron.js';

const URL = 'ftp://192.168.1.20:2121';

/** The model's items as compact strings: "status:Not sharing", "start:Start sharing:on", "---". */
function describeItems(items: readonly TrayItem[]): string[] {
  return items.map((item) => {
    if (item.type === 'separator') return '---';
    if (item.type === 'status') return `status:${item.label}`;
    return `${item.action}:${item.label}:${item.enabled ? 'on' : 'off'}`;
  });
}

const TAIL = ['---', 'open:Open FTP Share:on', '---', 'quit:Quit:on'];

describe('trayModel', () => {
  it('stopped: off icon, "Not sharing", Start enabled, Copy disabled', () => {
    const model = trayModel({ status: 'stopped', clients: 0 });
    assert.equal(model.icon, 'off');
    assert.equal(model.tooltip, 'FTP Share — not sharing');
    assert.deepEqual(describeItems(model.items), [
      'status:Not sharing', '---', 'start:Start sharing:on', 'copy-address:Copy address:off', ...TAIL,
    ]);
  });

  it('starting: Start disabled (a second click would race), Copy disabled', () => {
    const model = trayModel({ status: 'starting', clients: 0 });
    assert.equal(model.icon, 'off');
    assert.deepEqual(describeItems(model.items), [
      'status:Starting…', '---', 'start:Start sharing:off', 'copy-address:Copy address:off', ...TAIL,
    ]);
  });

  it('running with 0 clients: on icon, address in the status line, Stop and Copy enabled', () => {
    const model = trayModel({ status: 'running', url: URL, clients: 0 });
    assert.equal(model.icon, 'on');
    assert.equal(model.tooltip, `FTP Share — sharing at ${URL} (0 clients)`);
    assert.deepEqual(describeItems(model.items), [
      `status:Sharing at ${URL} — 0 clients`, '---', 'stop:Stop sharing:on', 'copy-address:Copy address:on', ...TAIL,
    ]);
  });

  it('running with 3 clients, and 1 client in the singular', () => {
    const three = trayModel({ status: 'running', url: URL, clients: 3 });
    assert.equal(describeItems(three.items)[0], `status:Sharing at ${URL} — 3 clients`);
    assert.equal(three.tooltip, `FTP Share — sharing at ${URL} (3 clients)`);
    const one = trayModel({ status: 'running', url: URL, clients: 1 });
    assert.equal(describeItems(one.items)[0], `status:Sharing at ${URL} — 1 client`);
  });

  it('running without a URL: no address to copy', () => {
    const model = trayModel({ status: 'running', clients: 0 });
    assert.deepEqual(describeItems(model.items).slice(0, 4), [
      'status:Sharing — 0 clients', '---', 'stop:Stop sharing:on', 'copy-address:Copy address:off',
    ]);
  });

  it('stopping: Stop disabled', () => {
    const model = trayModel({ status: 'stopping', clients: 2, url: URL });
    assert.equal(model.icon, 'off');
    assert.deepEqual(describeItems(model.items).slice(0, 4), [
      'status:Stopping…', '---', 'stop:Stop sharing:off', 'copy-address:Copy address:off',
    ]);
  });

  it('error: the reason in the status line (shortened) and the tooltip, Start enabled', () => {
    const reason = 'Port 2121 is already used by another program. Choose another port in the settings, or close it.';
    const model = trayModel({ status: 'error', clients: 0, error: reason });
    assert.equal(model.icon, 'off');
    const [status, , toggle, copy] = describeItems(model.items);
    assert.match(status!, /^status:Sharing stopped: Port 2121 is already used by/);
    assert.ok(status!.endsWith('…'));
    assert.ok(status!.length <= 'status:Sharing stopped: '.length + 60);
    assert.equal(toggle, 'start:Start sharing:on');
    assert.equal(copy, 'copy-address:Copy address:off');
    assert.ok(model.tooltip.startsWith('FTP Share — sharing stopped: Port 2121'));
    assert.equal(trayModel({ status: 'error', clients: 0 }).items[0]!.type, 'status');
  });

  it('keeps the tooltip within the Windows limit', () => {
    const model = trayModel({ status: 'running', clients: 12, url: `ftp://${'a'.repeat(200)}.local:2121` });
    assert.ok(model.tooltip.length <= MAX_TOOLTIP_LENGTH);
    assert.ok(model.tooltip.endsWith('…'));
  });
});

describe('trayStateFrom', () => {
  it('takes status, URL, session count and the error message', () => {
    const running: ShareState = { status: 'running', url: URL, urls: [], sessionCount: 3, port: 2121 };
    assert.deepEqual(trayStateFrom(running), { status: 'running', url: URL, clients: 3 });
    const failed: ShareState = { status: 'error', urls: [], sessionCount: 0, error: { code: 'port-in-use', message: 'Port busy' } };
    assert.deepEqual(trayStateFrom(failed), { status: 'error', clients: 0, error: 'Port busy' });
  });
});

/** A factory that counts what is done to the one tray it makes. */
function countingFactory() {
  const counts = { create: 0, setIcon: 0, setToolTip: 0, setMenu: 0, destroy: 0 };
  const shown: { icon?: TrayIconName; tooltip?: string; items?: readonly TrayItem[] } = {};
  let clicked: ((action: TrayAction) => void) | undefined;
  const factory: TrayFactory = {
    create(icon, onAction) {
      counts.create++;
      shown.icon = icon;
      clicked = onAction;
      return {
        setIcon(next) {
          counts.setIcon++;
          shown.icon = next;
        },
        setToolTip(text) {
          counts.setToolTip++;
          shown.tooltip = text;
        },
        setMenu(items) {
          counts.setMenu++;
          shown.items = items;
        },
        destroy() {
          counts.destroy++;
        },
      };
    },
  };
  return { factory, counts, shown, click: (action: TrayAction) => clicked!(action) };
}

describe('TrayService.render', () => {
  const states: Record<string, TrayState> = {
    stopped: { status: 'stopped', clients: 0 },
    starting: { status: 'starting', clients: 0 },
    running0: { status: 'running', url: URL, clients: 0 },
    running3: { status: 'running', url: URL, clients: 3 },
    error: { status: 'error', clients: 0, error: 'Port busy' },
  };

  it('creates the tray once, with icon, tooltip and menu (always a menu: Linux needs one)', () => {
    const { factory, counts, shown } = countingFactory();
    const tray = new TrayService(factory, () => undefined);
    tray.render(states['stopped']!);
    assert.deepEqual(counts, { create: 1, setIcon: 0, setToolTip: 1, setMenu: 1, destroy: 0 });
    assert.equal(shown.icon, 'off');
    assert.deepEqual(shown.items, trayModel(states['stopped']!).items);
  });

  it('does nothing for an unchanged state, in every state', () => {
    for (const [name, state] of Object.entries(states)) {
      const { factory, counts } = countingFactory();
      const tray = new TrayService(factory, () => undefined);
      tray.render(state);
      const before = { ...counts };
      tray.render({ ...state });
      tray.render({ ...state });
      assert.deepEqual(counts, before, `re-rendering "${name}" changed the tray`);
    }
  });

  it('changes only what differs', () => {
    const { factory, counts, shown } = countingFactory();
    const tray = new TrayService(factory, () => undefined);
    tray.render(states['stopped']!);
    tray.render(states['starting']!); // same icon, new tooltip and menu
    assert.deepEqual(counts, { create: 1, setIcon: 0, setToolTip: 2, setMenu: 2, destroy: 0 });
    tray.render(states['running0']!); // icon on
    assert.deepEqual(counts, { create: 1, setIcon: 1, setToolTip: 3, setMenu: 3, destroy: 0 });
    assert.equal(shown.icon, 'on');
    tray.render(states['running3']!); // client count: tooltip and status line, icon unchanged
    assert.deepEqual(counts, { create: 1, setIcon: 1, setToolTip: 4, setMenu: 4, destroy: 0 });
    tray.render(states['running3']!);
    assert.deepEqual(counts, { create: 1, setIcon: 1, setToolTip: 4, setMenu: 4, destroy: 0 });
    tray.render(states['error']!);
    assert.deepEqual(counts, { create: 1, setIcon: 2, setToolTip: 5, setMenu: 5, destroy: 0 });
    assert.equal(shown.icon, 'off');
  });

  it('passes menu clicks to onAction', () => {
    const { factory, click } = countingFactory();
    const actions: TrayAction[] = [];
    const tray = new TrayService(factory, (action) => actions.push(action));
    tray.render(states['running0']!);
    click('copy-address');
    click('quit');
    assert.deepEqual(actions, ['copy-address', 'quit']);
  });

  it('destroys the tray, and a later render makes a new one', () => {
    const { factory, counts } = countingFactory();
    const tray = new TrayService(factory, () => undefined);
    tray.render(states['stopped']!);
    tray.destroy();
    tray.destroy();
    assert.equal(counts.destroy, 1);
    tray.render(states['stopped']!);
    assert.equal(counts.create, 2);
  });
});

describe('the Electron tray factory', () => {
  it('uses template images on macOS, .ico files on Windows and PNGs on Linux', () => {
    assert.equal(trayIconFile('on', 'darwin'), 'trayTemplate.png');
    assert.equal(trayIconFile('off', 'darwin'), 'trayOffTemplate.png');
    assert.equal(trayIconFile('on', 'win32'), 'tray-on.ico');
    assert.equal(trayIconFile('off', 'win32'), 'tray-off.ico');
    assert.equal(trayIconFile('on', 'linux'), 'tray-on.png');
    assert.equal(trayIconFile('off', 'linux'), 'tray-off.png');
  });

  it('maps the model to a menu template: disabled status line, separators, clicks to actions', () => {
    const actions: TrayAction[] = [];
    const items = trayModel({ status: 'running', url: URL, clients: 3 }).items;
    const template = trayMenuTemplate(items, (action) => actions.push(action), 'darwin');
    assert.equal(template.length, items.length);
    assert.deepEqual(template[0], { label: `Sharing at ${URL} — 3 clients`, enabled: false });
    assert.deepEqual(template[1], { type: 'separator' });
    assert.equal(template[2]!.label, 'Stop sharing');
    assert.equal(template[3]!.enabled, true);
    for (const entry of template) {
      (entry.click as unknown as (() => void) | undefined)?.();
    }
    assert.deepEqual(actions, ['stop', 'copy-address', 'open', 'quit']);
  });

  it('doubles & on Windows and Linux, where it marks a mnemonic, but not on macOS', () => {
    const items: TrayItem[] = [{ type: 'status', label: 'Sharing stopped: Tom & Jerry' }];
    assert.equal(trayMenuTemplate(items, () => undefined, 'win32')[0]!.label, 'Sharing stopped: Tom && Jerry');
    assert.equal(trayMenuTemplate(items, () => undefined, 'linux')[0]!.label, 'Sharing stopped: Tom && Jerry');
    assert.equal(trayMenuTemplate(items, () => undefined, 'darwin')[0]!.label, 'Sharing stopped: Tom & Jerry');
  });

  function fakeElectron() {
    const log: string[] = [];
    const templates: MenuItemConstructorOptions[][] = [];
    const events = new Map<string, () => void>();
    const image = (file: string) => ({ file }) as unknown as NativeImage;
    const modules = {
      Tray: class {
        constructor(img: NativeImage) {
          log.push(`new Tray(${path.basename((img as unknown as { file: string }).file)})`);
        }
        setImage(img: NativeImage) {
          log.push(`setImage(${path.basename((img as unknown as { file: string }).file)})`);
        }
        setToolTip(text: string) {
          log.push(`setToolTip(${text})`);
        }
        setContextMenu(menu: Menu | null) {
          log.push(`setContextMenu(${menu === null ? 'null' : 'menu'})`);
        }
        destroy() {
          log.push('destroy');
        }
        on(event: string, listener: () => void) {
          events.set(event, listener);
          return this;
        }
      },
      Menu: {
        buildFromTemplate(template: MenuItemConstructorOptions[]) {
          templates.push(template);
          return {} as Menu;
        },
      },
      nativeImage: { createFromPath: image },
    } as unknown as ElectronTrayModules;
    return { modules, log, templates, events };
  }

  it('creates the tray from the icon directory and sets a built menu', () => {
    const { modules, log, templates } = fakeElectron();
    const actions: TrayAction[] = [];
    const factory = createElectronTrayFactory(modules, { iconDir: '/app/dist/electron/tray', platform: 'linux' });
    const tray = new TrayService(factory, (action) => actions.push(action));
    tray.render({ status: 'stopped', clients: 0 });
    tray.render({ status: 'running', url: URL, clients: 0 });
    tray.destroy();
    assert.deepEqual(log, [
      'new Tray(tray-off.png)',
      'setToolTip(FTP Share — not sharing)',
      'setContextMenu(menu)',
      'setImage(tray-on.png)',
      `setToolTip(FTP Share — sharing at ${URL} (0 clients))`,
      'setContextMenu(menu)',
      'destroy',
    ]);
    assert.equal(templates.length, 2);
  });

  it('opens the window on a left click on Windows and Linux; macOS shows the menu instead', () => {
    for (const platform of ['win32', 'linux', 'darwin'] as const) {
      const { modules, events } = fakeElectron();
      const actions: TrayAction[] = [];
      const factory = createElectronTrayFactory(modules, { iconDir: '/app/tray', platform });
      new TrayService(factory, (action) => actions.push(action)).render({ status: 'stopped', clients: 0 });
      if (platform === 'darwin') {
        assert.equal(events.has('click'), false);
        continue;
      }
      events.get('click')!();
      assert.deepEqual(actions, ['open'], platform);
    }
  });

  it('the service remembers the model it shows (the smoke test reads it)', () => {
    const { modules } = fakeElectron();
    const factory = createElectronTrayFactory(modules, { iconDir: '/t', platform: 'linux' });
    assert.equal(new TrayService(factory, () => undefined).model, undefined);
    const tray = new TrayService(factory, () => undefined);
    tray.render({ status: 'running', url: URL, clients: 2 });
    assert.equal(tray.model?.icon, 'on');
    assert.equal(tray.model?.items[0]?.type === 'status' && tray.model.items[0].label, `Sharing at ${URL} — 2 clients`);
    tray.destroy();
    assert.equal(tray.model, undefined);
  });
});
