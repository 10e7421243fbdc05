/**
 * The event-to-activity wiring (core/share/activity-wiring.ts) over a real EventEmitter and a real
 * ActivityTracker: each event the table follows updates the tables and marks the topics the
 * window must be sent again; an event that changes nothing visible marks nothing; only sessions
 * opening and closing are counted for auto-stop; the returned function unsubscribes everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ACTIVITY_WIRING, wireActivity, type ActivityTopic } from '../../core/share/activity-wiring.js';
import { ActivityTracker } from '../../core/share/activity.js';
import type { ServerEventName, ServerEvents, TransferInfo } from '../../core/ftp/events.js';

/** A source of server events as the share assembly hands one out, with what the wiring did. */
function wired() {
  const source = new EventEmitter();
  const activity = new ActivityTracker(() => 1_700_000_000_000);
  const marks: ActivityTopic[] = [];
  let counted = 0;
  const detach = wireActivity(source, activity, (topic) => marks.push(topic), () => counted++);
  return {
    source,
    activity,
    detach,
    /** Emits one event; returns the topics it marked and whether it counted sessions. */
    emit<K extends ServerEventName>(event: K, payload: ServerEvents[K]): { marked: ActivityTopic[]; counted: number } {
      const markedBefore = marks.length;
      const countedBefore = counted;
      source.emit(event, payload);
      return { marked: marks.slice(markedBefore), counted: counted - countedBefore };
    },
  };
}

const SESSION = 's1';

const transfer = (transferId: string, bytes: number): TransferInfo => ({
  transferId,
  sessionId: SESSION,
  protocol: 'ftp',
  path: '/photos/a.jpg',
  direction: 'download',
  bytes,
  size: 1000,
  bytesPerSecond: 100,
  secure: false,
});

test('each followed event updates the tables and marks its topics; only session counts change auto-stop', () => {
  const w = wired();
  const sessions = ['sessions'] as const;
  const sessionsAndState = ['sessions', 'state'] as const;
  const transfers = ['transfers', 'sessions'] as const;
  // One visible change per event, in an order a real session produces them.
  const seen: ServerEventName[] = [];
  const step = <K extends ServerEventName>(event: K, payload: ServerEvents[K], topics: readonly ActivityTopic[], counts: number, check: () => void): void => {
    const { marked, counted } = w.emit(event, payload);
    assert.deepEqual(marked, [...topics], `${event} marks ${topics.join(', ')}`);
    assert.equal(counted, counts, `${event} ${counts ? 'counts' : 'does not count'} sessions`);
    check();
    seen.push(event);
  };
  const row = () => w.activity.sessions()[0];

  step('session-opened', { sessionId: SESSION, protocol: 'ftp', remoteAddress: '192.168.1.20', remotePort: 50000, secure: false }, sessionsAndState, 1, () => {
    assert.equal(w.activity.sessionCount, 1);
    assert.equal(row()?.activity, 'Logging in');
  });
  step('login', { sessionId: SESSION, user: 'alice' }, sessions, 0, () => assert.equal(row()?.user, 'alice'));
  step('session-changed', { sessionId: SESSION, cwd: '/photos', security: { control: true, data: false } }, sessions, 0, () => {
    assert.equal(row()?.cwd, '/photos');
    assert.equal(row()?.secureControl, true);
  });
  step('command', { sessionId: SESSION, command: 'LIST', argument: '-la' }, sessions, 0, () => assert.equal(row()?.activity, 'Listing /photos'));
  step('reply', { sessionId: SESSION, code: 226, text: 'Transfer complete' }, sessions, 0, () => assert.equal(row()?.activity, 'Idle'));
  step('transfer-started', transfer('t1', 0), transfers, 0, () => assert.equal(w.activity.transfers().active.length, 1));
  step('transfer-progress', transfer('t1', 400), transfers, 0, () => assert.equal(w.activity.transfers().active[0]?.bytes, 400));
  step('transfer-completed', { ...transfer('t1', 1000), durationMs: 10 }, transfers, 0, () => {
    assert.equal(w.activity.transfers().active.length, 0);
    assert.equal(w.activity.transfers().totals.completed, 1);
  });
  step('transfer-failed', { ...transfer('t2', 10), durationMs: 5, reason: 'connection lost', aborted: false }, transfers, 0, () => {
    assert.equal(w.activity.transfers().totals.failed, 1);
    assert.equal(w.activity.transfers().finished[0]?.result, 'failed');
  });
  step('logout', { sessionId: SESSION, user: 'alice' }, sessions, 0, () => assert.equal(row()?.user, undefined));
  step('session-closed', { sessionId: SESSION, reason: 'quit' }, sessionsAndState, 1, () => assert.equal(w.activity.sessionCount, 0));

  // A new row in the table gets a step here (with its topics), or this fails.
  assert.deepEqual([...seen].sort(), Object.keys(ACTIVITY_WIRING).sort());
  w.detach();
});

test('a command or reply that changes nothing visible marks nothing', () => {
  const w = wired();
  w.emit('session-opened', { sessionId: SESSION, protocol: 'ftp', remoteAddress: '10.0.0.5', remotePort: 40000, secure: false });
  const none = { marked: [], counted: 0 };
  assert.deepEqual(w.emit('command', { sessionId: SESSION, command: 'NOOP', argument: '' }), none, 'not a listing');
  assert.deepEqual(w.emit('command', { sessionId: SESSION, command: 'STAT', argument: '' }), none, 'STAT alone is a status request');
  assert.deepEqual(w.emit('command', { sessionId: 'gone', command: 'LIST', argument: '' }), none, 'an unknown session');
  assert.deepEqual(w.emit('reply', { sessionId: SESSION, code: 200, text: 'NOOP ok' }), none, 'no listing to end');
  assert.deepEqual(w.emit('command', { sessionId: SESSION, command: 'MLSD', argument: '' }).marked, ['sessions']);
  assert.deepEqual(w.emit('reply', { sessionId: SESSION, code: 150, text: 'Opening data connection' }), none, 'a preliminary reply ends nothing');
  assert.deepEqual(w.emit('reply', { sessionId: SESSION, code: 226, text: 'done' }).marked, ['sessions']);
  assert.deepEqual(w.emit('reply', { sessionId: SESSION, code: 226, text: 'again' }), none, 'the listing already ended');
  w.detach();
});

test('events the table does not follow mark nothing and have no listener', () => {
  const w = wired();
  const unfollowed: ServerEventName[] = ['listening', 'stopped', 'error', 'warning', 'login-failed', 'address-throttled', 'file-changed', 'access-refused', 'connection-refused'];
  for (const event of unfollowed) {
    assert.equal(event in ACTIVITY_WIRING, false, `${event} is not in the table`);
    assert.equal(w.source.listenerCount(event), 0, event);
  }
  assert.deepEqual(w.emit('login-failed', { sessionId: SESSION, user: 'x', remoteAddress: '10.0.0.5' }), { marked: [], counted: 0 });
  assert.deepEqual(w.emit('file-changed', { sessionId: SESSION, remoteAddress: '10.0.0.5', change: 'deleted', path: '/a' }), { marked: [], counted: 0 });
  w.detach();
});

test('the returned function unsubscribes every listener; later events reach nothing', () => {
  const w = wired();
  const events = Object.keys(ACTIVITY_WIRING) as ServerEventName[];
  assert.ok(events.length >= 11);
  for (const event of events) assert.equal(w.source.listenerCount(event), 1, `${event} is followed once`);
  w.detach();
  for (const event of events) assert.equal(w.source.listenerCount(event), 0, `${event} unsubscribed`);
  assert.deepEqual(w.source.eventNames(), [], 'no listener left on any event');
  assert.deepEqual(w.emit('session-opened', { sessionId: SESSION, protocol: 'ftp', remoteAddress: '10.0.0.5', remotePort: 1, secure: false }), { marked: [], counted: 0 });
  assert.equal(w.activity.sessionCount, 0, 'the tables no longer follow the source');
  w.detach();
  assert.deepEqual(w.source.eventNames(), [], 'detaching twice is harmless');
});

test('two wirings on one source are independent', () => {
  const w = wired();
  const other = new ActivityTracker();
  const marks: ActivityTopic[] = [];
  const detachOther = wireActivity(w.source, other, (topic) => marks.push(topic), () => undefined);
  w.detach();
  w.source.emit('session-opened', { sessionId: SESSION, protocol: 'ftp', remoteAddress: '10.0.0.5', remotePort: 1, secure: false });
  assert.equal(other.sessionCount, 1, 'detaching one wiring leaves the other subscribed');
  assert.equal(w.activity.sessionCount, 0);
  assert.deepEqual(marks, ['sessions', 'state']);
  detachOther();
  assert.deepEqual(w.source.eventNames(), []);
});
