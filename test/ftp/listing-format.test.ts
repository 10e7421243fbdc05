import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaults } from '../../core/defaults.js';
import type { FileInfo } from '../../core/fs/file-system.js';
import { batchOf } from '../../core/fs/entry-batch.js';
import { factsLine, factsLines, ftpTimestamp, listLine, listLines, MLST_FACTS, nameLines } from '../../core/ftp/listing-format.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);
const MINUTE = 60_000;

/** The columns as `ls -l` shows them, written out independently of the formatter and its caches. */
function expectedLine(info: FileInfo, now: number): string {
  const iso = info.modified.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const monthDay = `${MONTHS[Number(iso.slice(5, 7)) - 1]} ${String(Number(iso.slice(8, 10))).padStart(2)}`;
  const age = now - info.modified.getTime();
  const when = age >= 0 && age < defaults.recentListingWindowMs ? `${monthDay} ${iso.slice(11, 16)}` : `${monthDay}  ${iso.slice(0, 4)}`;
  const rwx = (bits: number) => (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  const mode = (info.type === 'dir' ? 'd' : '-') + rwx(info.mode >> 6) + rwx(info.mode >> 3) + rwx(info.mode);
  return `${mode} ${info.type === 'dir' ? '  2' : '  1'} ftp      ftp      ${String(info.size).padStart(12)} ${when} ${info.name}`;
}

function entry(time: number, i: number): FileInfo {
  return {
    name: `entry ${i}`,
    type: i % 3 === 0 ? 'dir' : 'file',
    size: i % 3 === 0 ? 0 : i * 1000,
    modified: new Date(time),
    mode: (i * 37) & 0o777,
    unique: `u${i}`,
    writable: true,
  };
}

describe('listing lines', () => {
  // Times that share a cache slot (minutes and seconds 256 apart), on both sides of the
  // six-month boundary and in other years, interleaved so every lookup follows a different key.
  const times: number[] = [];
  for (let i = 0; i < 600; i++) {
    times.push(NOW - (i % 7) * 256 * MINUTE - i * 1000);
    times.push(NOW - defaults.recentListingWindowMs + ((i % 5) - 2) * 256 * MINUTE);
    times.push(Date.UTC(1999 + (i % 30), i % 12, 1 + (i % 28), i % 24, i % 60, i % 60));
  }
  times.push(NOW + 5 * MINUTE, 0, Date.UTC(1969, 11, 31, 23, 59, 59));

  test('LIST lines match ls -l for every date, mode and size, however the caches are hit', () => {
    const infos = times.map(entry);
    for (let round = 0; round < 2; round++) {
      for (const info of round === 0 ? infos : [...infos].reverse()) assert.equal(listLine(info, NOW), expectedLine(info, NOW));
    }
  });

  test('the same minute shows the time while recent and the year after six months', () => {
    const info = entry(Date.UTC(2026, 0, 10, 8, 5), 1);
    assert.match(listLine(info, NOW), / Jan 10 08:05 entry 1$/);
    assert.match(listLine(info, NOW + defaults.recentListingWindowMs), / Jan 10 {2}2026 entry 1$/);
    assert.match(listLine(info, NOW), / Jan 10 08:05 entry 1$/);
  });

  test('MLSD modify and unix.mode facts match for every second and mode', () => {
    const facts = new Set(MLST_FACTS);
    for (const [i, time] of times.entries()) {
      const info = entry(time, i);
      const iso = info.modified.toISOString();
      const stamp = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
      assert.equal(ftpTimestamp(info.modified), stamp);
      const line = factsLine(info, facts, info.name);
      assert.ok(line.includes(`;modify=${stamp};`), line);
      assert.ok(line.endsWith(`;unix.mode=0${info.mode.toString(8).padStart(3, '0')}; ${info.name}`), line);
    }
  });

  test('a batch formats to the lines of its entries, CRLF-ended, in order, the filter applied', () => {
    const infos = times.slice(0, 500).map(entry);
    infos.push({ ...entry(NOW, 9), name: 'bad\r\nname\x7f' }, { ...entry(NOW, 10), writable: false });
    const batch = batchOf(infos);
    const crlf = (lines: string[]) => lines.map((line) => line + '\r\n').join('');
    assert.equal(listLines(batch, NOW, undefined), crlf(infos.map((info) => listLine(info, NOW))));
    const odd = (name: string) => /[13579]$/.test(name);
    assert.equal(listLines(batch, NOW, odd), crlf(infos.filter((i) => odd(i.name)).map((info) => listLine(info, NOW))));
    assert.equal(nameLines(batch, 'dir/', odd), crlf(infos.filter((i) => odd(i.name)).map((info) => `dir/${info.name}`)));
    assert.ok(listLines(batch, NOW, undefined).endsWith(' bad??name?\r\n' + listLine(infos.at(-1)!, NOW) + '\r\n'));
    for (const facts of [new Set(MLST_FACTS), new Set(['size', 'unique'] as const), new Set<never>()]) {
      assert.equal(factsLines(batch, facts), crlf(infos.map((info) => factsLine(info, facts, info.name))));
    }
    assert.ok(factsLines(batch, new Set(MLST_FACTS)).endsWith(';perm=r;unique=u10;unix.mode=0' + (370 & 0o777).toString(8) + '; entry 10\r\n'));
  });
});
