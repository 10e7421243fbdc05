/**
 * Every FTP command of the core over a real socket, asserting the exact reply lines where the RFCs
 * fix them (RFC 959, 2389, 2428, 3659, 775, draft-bryan-ftpext-hash, draft-peterson-streamlined).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { ControlClient } from '../helpers/control-client.js';
import { collectData, connectAndLogin, connectData, connectOnly, download, downloadOk, epsvPort, listingLines, waitClosed } from '../helpers/ftp-flows.js';
import { loopbackAliases } from '../helpers/loopback.js';
import { sleep } from '../helpers/wait.js';

const HELLO = 'hello world\n';

describe('commands', () => {
  let f: ServerFixture;

  before(async () => {
    f = await startServer({
      files: {
        'hello.txt': HELLO,
        'dir/inner.txt': 'inner',
        'naïve файл 😀.txt': 'unicode',
      },
    });
    // A fixed mtime, so MDTM and MLST can be asserted exactly.
    const when = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    await fs.utimes(path.join(f.root, 'hello.txt'), when, when);
  });
  after(() => f.close());

  test('greeting, SYST, NOOP and FEAT (exactly what is implemented)', async () => {
    const raw = await ControlClient.connect(f.port);
    const greeting = await raw.reply();
    assert.deepEqual(greeting.lines, ['220 FTP Share ready']);
    assert.deepEqual((await raw.command('SYST')).lines, ['215 UNIX Type: L8']);
    assert.deepEqual((await raw.command('NOOP')).lines, ['200 NOOP ok']);
    const feat = await raw.command('FEAT');
    assert.deepEqual(feat.lines, [
      '211-Features:',
      ' AVBL',
      ' EPRT',
      ' EPSV',
      ' HASH SHA-256*;SHA-1;MD5',
      ' MDTM',
      ' MFMT',
      ' MLST type*;size*;modify*;perm*;unique*;unix.mode*;',
      ' REST STREAM',
      ' SIZE',
      ' TVFS',
      ' UTF8',
      '211 End',
    ]);
    // Plain FTP: no TLS feature may be advertised.
    assert.ok(!feat.text.includes('AUTH') && !feat.text.includes('PROT'));
    raw.close();
  });

  test('USER/PASS/ACCT/REIN/QUIT reply codes', async () => {
    const raw = await connectOnly(f.port);
    assert.deepEqual((await raw.command('PASS nouser')).lines, ['503 Login with USER first']);
    assert.deepEqual((await raw.command('USER anonymous')).lines, ['331 Please specify the password']);
    assert.deepEqual((await raw.command('PASS x')).lines, ['230 Login successful']);
    assert.equal((await raw.command('USER other')).code, 530, 'no user change while logged in');
    assert.equal((await raw.command('PASS again')).code, 230);
    assert.equal((await raw.command('ACCT acme')).code, 202);
    assert.deepEqual((await raw.command('REIN')).lines, ['220 Service ready for new user']);
    assert.equal((await raw.command('PWD')).code, 530, 'REIN logs out');
    assert.equal((await raw.command('USER again')).code, 331);
    assert.equal((await raw.command('PASS x')).code, 230);
    assert.equal((await raw.command('PWD')).code, 257);
    assert.deepEqual((await raw.command('QUIT')).lines, ['221 Goodbye']);
    await waitClosed(raw, 3000);
  });

  test('PWD/CWD/CDUP/MKD/RMD and the X variants', async () => {
    const raw = await connectAndLogin(f.port);
    assert.deepEqual((await raw.command('PWD')).lines, ['257 "/" is the current directory']);
    assert.deepEqual((await raw.command('MKD made')).lines, ['257 "/made" created']);
    assert.ok((await fs.stat(path.join(f.root, 'made'))).isDirectory());
    assert.deepEqual((await raw.command('XMKD /made/sub')).lines, ['257 "/made/sub" created']);
    assert.deepEqual((await raw.command('CWD made')).lines, ['250 Directory successfully changed to "/made"']);
    assert.deepEqual((await raw.command('XCWD sub')).lines, ['250 Directory successfully changed to "/made/sub"']);
    assert.deepEqual((await raw.command('XPWD')).lines, ['257 "/made/sub" is the current directory']);
    assert.deepEqual((await raw.command('CDUP')).lines, ['250 Directory successfully changed to "/made"']);
    assert.equal((await raw.command('CWD sub')).code, 250);
    assert.deepEqual((await raw.command('XCUP')).lines, ['250 Directory successfully changed to "/made"']);
    assert.deepEqual((await raw.command('RMD sub')).lines, ['250 Directory removed']);
    assert.equal((await raw.command('CDUP')).code, 250);
    assert.deepEqual((await raw.command('XRMD made')).lines, ['250 Directory removed']);
    await assert.rejects(fs.stat(path.join(f.root, 'made')));
    assert.equal((await raw.command('CWD hello.txt')).code, 550, 'a file is not a directory');
    assert.equal((await raw.command('MKD dir')).code, 550, 'exists');
    assert.equal((await raw.command('RMD dir')).code, 550, 'not empty');
    assert.equal((await raw.command('RMD nothing-here')).code, 550);
    assert.equal((await raw.command('CDUP')).code, 250, 'CDUP at / stays at /');
    assert.deepEqual((await raw.command('PWD')).lines, ['257 "/" is the current directory']);
    raw.close();
  });

  test('a " in a path is doubled in 257 replies', async () => {
    const raw = await connectAndLogin(f.port);
    assert.deepEqual((await raw.command('MKD say "hi"')).lines, ['257 "/say ""hi""" created']);
    assert.equal((await raw.command('CWD say "hi"')).code, 250);
    assert.deepEqual((await raw.command('PWD')).lines, ['257 "/say ""hi""" is the current directory']);
    assert.equal((await raw.command('CWD /')).code, 250);
    assert.equal((await raw.command('RMD say "hi"')).code, 250);
    raw.close();
  });

  test('a missing path gets 550 for CWD, SIZE, MDTM, MLST and MLSD alike', async () => {
    const raw = await connectAndLogin(f.port);
    for (const command of ['CWD', 'SIZE', 'MDTM', 'MLST', 'XCWD', 'HASH', 'RNFR', 'DELE', 'RMD']) {
      assert.equal((await raw.command(`${command} /no/such/thing`)).code, 550, command);
    }
    // MLSD, LIST and RETR on a missing path, with the data connection already open: 550 and no stray 226.
    for (const command of ['MLSD', 'LIST', 'NLST', 'RETR']) {
      const { port } = await raw.pasv();
      const data = await connectData(port);
      const refused = await raw.command(`${command} /no/such/thing`);
      assert.equal(refused.code, 550, `${command}: ${refused.text}`);
      assert.deepEqual((await raw.command('NOOP')).lines, ['200 NOOP ok'], `${command} left no stray reply`);
      data.destroy();
    }
    raw.close();
  });

  test('a refused data command after the client connected: the next command gets its own reply', async () => {
    const raw = await connectAndLogin(f.port);
    const { port } = await raw.pasv();
    const data = collectData(port);
    await new Promise((resolve) => data.socket.once('connect', resolve));
    assert.equal((await raw.command('MLSD hello.txt')).code, 501, 'MLSD on a file');
    // The server closed the data connection without sending anything.
    assert.equal((await data.done).length, 0);
    assert.deepEqual((await raw.command('NOOP')).lines, ['200 NOOP ok']);
    // The session still transfers afterwards.
    assert.equal((await downloadOk(raw, 'RETR hello.txt')).toString(), HELLO);
    await sleep(100);
    assert.deepEqual((await raw.command('NOOP')).lines, ['200 NOOP ok']);
    raw.close();
  });

  test('TYPE A, I, L 8; STRU F; MODE S; ALLO', async () => {
    const raw = await connectAndLogin(f.port);
    assert.deepEqual((await raw.command('TYPE I')).lines, ['200 Switching to Binary mode']);
    assert.deepEqual((await raw.command('TYPE A')).lines, ['200 Switching to ASCII mode']);
    assert.deepEqual((await raw.command('TYPE L 8')).lines, ['200 Switching to Binary mode']);
    assert.deepEqual((await raw.command('TYPE A N')).lines, ['200 Switching to ASCII mode']);
    assert.deepEqual((await raw.command('type i')).lines, ['200 Switching to Binary mode'], 'verbs and arguments are case-insensitive');
    assert.equal((await raw.command('TYPE E')).code, 504);
    assert.equal((await raw.command('TYPE L 7')).code, 504);
    assert.equal((await raw.command('TYPE Z')).code, 501);
    assert.equal((await raw.command('TYPE')).code, 501);
    assert.deepEqual((await raw.command('STRU F')).lines, ['200 Structure set to F']);
    assert.equal((await raw.command('STRU R')).code, 504);
    assert.equal((await raw.command('STRU X')).code, 501);
    assert.deepEqual((await raw.command('MODE S')).lines, ['200 Mode set to S']);
    assert.equal((await raw.command('MODE B')).code, 504);
    assert.equal((await raw.command('MODE Q')).code, 501);
    assert.equal((await raw.command('ALLO 1000')).code, 202);
    raw.close();
  });

  test('OPTS UTF8 ON, OPTS MLST facts, bad OPTS', async () => {
    const raw = await connectAndLogin(f.port);
    assert.deepEqual((await raw.command('OPTS UTF8 ON')).lines, ['200 Always in UTF8 mode']);
    assert.equal((await raw.command('OPTS UTF8 OFF')).code, 504);
    assert.equal((await raw.command('OPTS')).code, 501);
    assert.equal((await raw.command('OPTS NOSUCH 1')).code, 501);
    assert.deepEqual((await raw.command('OPTS MLST type;size;')).lines, ['200 MLST OPTS type;size;']);
    assert.deepEqual((await raw.command('MLST hello.txt')).lines, ['250-Listing /hello.txt', ' type=file;size=12; /hello.txt', '250 End']);
    const feat = await raw.command('FEAT');
    assert.ok(feat.lines.includes(' MLST type*;size*;modify;perm;unique;unix.mode;'), feat.text);
    const mlsd = listingLines(await downloadOk(raw, 'MLSD'));
    assert.ok(mlsd.includes('type=file;size=12; hello.txt'), mlsd.join('\n'));
    assert.deepEqual((await raw.command('OPTS MLST type;size;modify;perm;unique;unix.mode;')).lines, [
      '200 MLST OPTS type;size;modify;perm;unique;unix.mode;',
    ]);
    raw.close();
  });

  test('MLST with and without a path; STAT with and without a path', async () => {
    const raw = await connectAndLogin(f.port);
    const st = await fs.stat(path.join(f.root, 'hello.txt'));
    const unique = `${st.dev.toString(16)}-${st.ino.toString(16)}`;
    assert.deepEqual((await raw.command('MLST hello.txt')).lines, [
      '250-Listing /hello.txt',
      ` type=file;size=12;modify=20240102030405;perm=adfrw;unique=${unique};unix.mode=0644; /hello.txt`,
      '250 End',
    ]);
    const root = await raw.command('MLST');
    assert.equal(root.lines[0], '250-Listing /');
    assert.match(root.lines[1]!, /^ type=dir;size=0;modify=\d{14};perm=flcdmpe;unique=[0-9a-f]+-[0-9a-f]+;unix\.mode=0[0-7]{3}; \/$/);
    assert.equal((await raw.command('CWD dir')).code, 250);
    const here = await raw.command('MLST');
    assert.equal(here.lines[0], '250-Listing /dir');
    const status = await raw.command('STAT');
    assert.equal(status.code, 211);
    assert.equal(status.lines[0], '211-FTP Share status:');
    assert.equal(status.lines.at(-1), '211 End of status');
    assert.ok(status.lines.includes(' Logged in as anonymous'));
    const dirStatus = await raw.command('STAT /');
    assert.equal(dirStatus.lines[0], '213-Status of /:');
    assert.equal(dirStatus.lines.at(-1), '213 End of status');
    assert.ok(dirStatus.lines.some((l) => / Jan {2}2 {2}2024 hello\.txt$/.test(l)), dirStatus.text);
    const fileStatus = await raw.command('STAT /hello.txt');
    assert.equal(fileStatus.lines.length, 3);
    assert.match(fileStatus.lines[1]!, /^ -rw-r--r-- +1 ftp +ftp +12 Jan {2}2 {2}2024 hello\.txt$/);
    assert.equal((await raw.command('STAT -la /dir')).lines[0], '213-Status of /dir:');
    assert.equal((await raw.command('STAT /missing')).code, 550);
    raw.close();
  });

  test('HELP, HELP <command>, SITE HELP', async () => {
    const raw = await connectOnly(f.port);
    const help = await raw.command('HELP');
    assert.equal(help.code, 214);
    assert.equal(help.lines[0], '214-The following commands are recognized:');
    assert.equal(help.lines.at(-1), '214 Help OK');
    for (const verb of ['USER', 'RETR', 'MLSD', 'EPSV', 'HASH', 'XMKD', 'SITE']) assert.match(help.text, new RegExp(`\\b${verb}\\b`));
    assert.deepEqual((await raw.command('HELP user')).lines, ['214 Syntax: USER <name>: begin login']);
    assert.equal((await raw.command('HELP NOSUCH')).code, 502);
    await raw.login();
    assert.deepEqual((await raw.command('SITE HELP')).lines, ['214-SITE commands:', ' CHMOD <mode> <path>', ' HELP', '214 End']);
    assert.equal((await raw.command('SITE NOSUCH')).code, 502);
    assert.equal((await raw.command('SITE')).code, 501);
    raw.close();
  });

  test('SITE CHMOD', { skip: process.platform === 'win32' }, async () => {
    const raw = await connectAndLogin(f.port);
    await fs.writeFile(path.join(f.root, 'mode.txt'), 'm');
    await fs.chmod(path.join(f.root, 'mode.txt'), 0o644);
    assert.deepEqual((await raw.command('SITE CHMOD 600 mode.txt')).lines, ['200 SITE CHMOD command ok']);
    assert.equal((await fs.stat(path.join(f.root, 'mode.txt'))).mode & 0o777, 0o600);
    assert.deepEqual((await raw.command('site chmod 0640 /mode.txt')).lines, ['200 SITE CHMOD command ok']);
    assert.equal((await fs.stat(path.join(f.root, 'mode.txt'))).mode & 0o777, 0o640);
    assert.equal((await raw.command('SITE CHMOD 999 mode.txt')).code, 501);
    assert.equal((await raw.command('SITE CHMOD 644')).code, 501);
    assert.equal((await raw.command('SITE CHMOD 644 missing.txt')).code, 550);
    assert.equal((await fs.stat(path.join(f.root, 'mode.txt'))).mode & 0o777, 0o640, 'refusals change nothing');
    raw.close();
  });

  test('HASH with SHA-256, SHA-1 and MD5 selected by OPTS HASH', async () => {
    const raw = await connectAndLogin(f.port);
    const digest = (algorithm: string) => createHash(algorithm).update(HELLO).digest('hex');
    assert.deepEqual((await raw.command('OPTS HASH')).lines, ['200 SHA-256']);
    assert.deepEqual((await raw.command('HASH hello.txt')).lines, [`213 SHA-256 0-12 ${digest('sha256')} /hello.txt`]);
    assert.deepEqual((await raw.command('OPTS HASH SHA-1')).lines, ['200 SHA-1']);
    assert.deepEqual((await raw.command('HASH /hello.txt')).lines, [`213 SHA-1 0-12 ${digest('sha1')} /hello.txt`]);
    assert.deepEqual((await raw.command('OPTS HASH md5')).lines, ['200 MD5']);
    assert.deepEqual((await raw.command('HASH hello.txt')).lines, [`213 MD5 0-12 ${digest('md5')} /hello.txt`]);
    assert.ok((await raw.command('FEAT')).lines.includes(' HASH SHA-256;SHA-1;MD5*'));
    assert.equal((await raw.command('OPTS HASH CRC32')).code, 501);
    assert.deepEqual((await raw.command('OPTS HASH')).lines, ['200 MD5'], 'a refused choice keeps the previous one');
    assert.equal((await raw.command('HASH dir')).code, 550, 'a directory has no digest');
    assert.equal((await raw.command('HASH')).code, 501);
    raw.close();
  });

  test('SIZE, MDTM, MFMT, AVBL', async () => {
    const raw = await connectAndLogin(f.port);
    assert.deepEqual((await raw.command('SIZE hello.txt')).lines, ['213 12']);
    assert.deepEqual((await raw.command('SIZE naïve файл 😀.txt')).lines, ['213 7']);
    assert.equal((await raw.command('SIZE dir')).code, 550, 'SIZE of a directory');
    assert.deepEqual((await raw.command('MDTM hello.txt')).lines, ['213 20240102030405']);
    assert.equal((await raw.command('MDTM dir')).code, 550);
    await fs.writeFile(path.join(f.root, 'stamp.txt'), 's');
    assert.deepEqual((await raw.command('MFMT 20200304050607 stamp.txt')).lines, ['213 Modify=20200304050607; /stamp.txt']);
    assert.equal((await fs.stat(path.join(f.root, 'stamp.txt'))).mtime.getTime(), Date.UTC(2020, 2, 4, 5, 6, 7));
    assert.deepEqual((await raw.command('MDTM 20210101000000 stamp.txt')).lines, ['213 20210101000000'], 'the MDTM set form');
    assert.deepEqual((await raw.command('MDTM stamp.txt')).lines, ['213 20210101000000']);
    assert.deepEqual((await raw.command('MFMT 20200304050607.25 stamp.txt')).lines, ['213 Modify=20200304050607; /stamp.txt']);
    assert.equal((await fs.stat(path.join(f.root, 'stamp.txt'))).mtime.getTime(), Date.UTC(2020, 2, 4, 5, 6, 7, 250), 'a fraction of a second');
    assert.equal((await raw.command('MFMT 20201340000000 stamp.txt')).code, 501, 'month 13');
    assert.equal((await raw.command('MFMT 20200230000000 stamp.txt')).code, 501, 'February 30');
    assert.equal((await raw.command('MFMT nonsense')).code, 501);
    assert.equal((await raw.command('MFMT 20200304050607 missing.txt')).code, 550);
    const avbl = await raw.command('AVBL');
    assert.match(avbl.lines[0]!, /^213 \d+$/);
    assert.ok(Number(avbl.lines[0]!.slice(4)) > 0);
    assert.match((await raw.command('AVBL /dir')).lines[0]!, /^213 \d+$/);
    assert.equal((await raw.command('AVBL hello.txt')).code, 550);
    assert.equal((await raw.command('AVBL /missing')).code, 550);
    raw.close();
  });

  test('DELE, RNFR/RNTO, and RNTO without RNFR', async () => {
    const raw = await connectAndLogin(f.port);
    await fs.writeFile(path.join(f.root, 'old.txt'), 'rename me');
    assert.deepEqual((await raw.command('RNTO new.txt')).lines, ['503 RNFR required first']);
    assert.deepEqual((await raw.command('RNFR old.txt')).lines, ['350 Ready for RNTO']);
    assert.deepEqual((await raw.command('RNTO new.txt')).lines, ['250 Rename successful']);
    assert.equal(await fs.readFile(path.join(f.root, 'new.txt'), 'utf8'), 'rename me');
    await assert.rejects(fs.stat(path.join(f.root, 'old.txt')));
    // Another command between RNFR and RNTO cancels the rename.
    assert.equal((await raw.command('RNFR new.txt')).code, 350);
    assert.equal((await raw.command('NOOP')).code, 200);
    assert.equal((await raw.command('RNTO other.txt')).code, 503);
    assert.equal((await raw.command('RNFR missing.txt')).code, 550);
    assert.equal((await raw.command('RNTO other.txt')).code, 503, 'a failed RNFR arms nothing');
    assert.deepEqual((await raw.command('DELE new.txt')).lines, ['250 File deleted']);
    await assert.rejects(fs.stat(path.join(f.root, 'new.txt')));
    assert.equal((await raw.command('DELE new.txt')).code, 550);
    assert.equal((await raw.command('DELE dir')).code, 550, 'DELE of a directory');
    assert.ok((await fs.stat(path.join(f.root, 'dir'))).isDirectory());
    raw.close();
  });

  test('unknown commands 502, bad arguments 501', async () => {
    const raw = await connectAndLogin(f.port);
    assert.deepEqual((await raw.command('XYZZY')).lines, ['502 Command "XYZZY" not implemented']);
    assert.equal((await raw.command('SMNT /')).code, 502);
    for (const command of ['CWD', 'RETR', 'STOR', 'DELE', 'MKD', 'RMD', 'RNFR', 'SIZE', 'MDTM', 'REST', 'PORT', 'EPRT', 'TYPE', 'MODE', 'STRU', 'MFMT', 'SITE', 'OPTS']) {
      assert.equal((await raw.command(command)).code, 501, `${command} without an argument`);
    }
    assert.equal((await raw.command('REST -5')).code, 501);
    assert.equal((await raw.command('REST abc')).code, 501);
    assert.equal((await raw.command('PORT 1,2,3')).code, 501);
    assert.equal((await raw.command('PORT 127,0,0,1,300,1')).code, 501);
    assert.equal((await raw.command('EPRT |1|not-an-ip|5000|')).code, 501);
    assert.equal((await raw.command('EPRT |3|127.0.0.1|5000|')).code, 522, 'unknown network protocol');
    assert.equal((await raw.command('EPSV x')).code, 501);
    assert.equal((await raw.command('EPSV 3')).code, 522);
    raw.close();
  });

  test('before login only USER PASS QUIT FEAT SYST NOOP OPTS HELP AUTH PBSZ PROT are answered; the rest get 530', async () => {
    const raw = await connectOnly(f.port);
    const refused = [
      'ACCT x', 'REIN', 'CWD /', 'XCWD /', 'CDUP', 'XCUP', 'PWD', 'XPWD', 'MKD x', 'XMKD x', 'RMD dir', 'XRMD dir', 'LIST', 'NLST', 'MLSD', 'MLST',
      'STAT /', 'RETR hello.txt', 'STOR x', 'APPE x', 'STOU', 'REST 5', 'ABOR', 'DELE hello.txt', 'RNFR hello.txt', 'RNTO x', 'SIZE hello.txt',
      'MDTM hello.txt', 'MFMT 20200101000000 hello.txt', 'PASV', 'EPSV', 'EPSV ALL', 'PORT 127,0,0,1,40,0', 'EPRT |1|127.0.0.1|10240|',
      'TYPE I', 'STRU F', 'MODE S', 'ALLO 1', 'SITE HELP', 'SITE CHMOD 777 hello.txt', 'HASH hello.txt', 'AVBL', 'CCC',
    ];
    for (const command of refused) {
      assert.deepEqual((await raw.command(command)).lines, ['530 Please log in with USER and PASS first'], command);
    }
    assert.equal((await raw.command('FEAT')).code, 211);
    assert.equal((await raw.command('SYST')).code, 215);
    assert.equal((await raw.command('NOOP')).code, 200);
    assert.equal((await raw.command('OPTS UTF8 ON')).code, 200);
    assert.equal((await raw.command('HELP')).code, 214);
    // Plain FTP: AUTH is answered (not 530), and refused because TLS is not configured.
    assert.equal((await raw.command('AUTH TLS')).code, 502);
    assert.notEqual((await raw.command('PBSZ 0')).code, 530);
    assert.notEqual((await raw.command('PROT P')).code, 530);
    assert.deepEqual((await raw.command('BOGUS')).lines, ['502 Command "BOGUS" not implemented']);
    // Nothing changed on disk.
    assert.ok((await fs.stat(path.join(f.root, 'dir'))).isDirectory());
    assert.equal(await fs.readFile(path.join(f.root, 'hello.txt'), 'utf8'), HELLO);
    await assert.rejects(fs.stat(path.join(f.root, 'x')));
    assert.equal((await raw.command('QUIT')).code, 221);
    await waitClosed(raw, 3000);
  });

  test('EPSV, EPSV 1, EPSV 2 (wrong family), EPSV ALL', async () => {
    const raw = await connectAndLogin(f.port);
    const epsv = await raw.command('EPSV');
    assert.match(epsv.lines[0]!, /^229 Entering Extended Passive Mode \(\|\|\|\d+\|\)$/);
    const one = await raw.command('EPSV 1');
    assert.equal(one.code, 229);
    assert.deepEqual((await raw.command('EPSV 2')).lines, ['522 Network protocol not supported, use (1)']);
    assert.deepEqual((await raw.command('EPSV ALL')).lines, ['200 EPSV ALL ok']);
    assert.deepEqual((await raw.command('PASV')).lines, ['503 PASV not allowed after EPSV ALL']);
    assert.deepEqual((await raw.command('PORT 127,0,0,1,40,0')).lines, ['503 PORT not allowed after EPSV ALL']);
    assert.deepEqual((await raw.command('EPRT |1|127.0.0.1|10240|')).lines, ['503 EPRT not allowed after EPSV ALL']);
    // EPSV still works and carries a listing.
    const port = epsvPort(await raw.command('EPSV'));
    const data = collectData(port);
    assert.equal((await raw.command('NLST')).code, 150);
    const names = listingLines(await data.done);
    for (const name of ['dir', 'hello.txt', 'naïve файл 😀.txt']) assert.ok(names.includes(name), names.join(', '));
    assert.equal((await raw.reply()).code, 226);
    raw.close();
  });

  test('PASV answers with the address of the interface the client connected to', { skip: loopbackAliases }, async () => {
    const dual = await startServer({ host: '::' });
    try {
      for (const address of ['127.0.0.1', '127.0.0.2']) {
        const raw = await ControlClient.connect(dual.port, { host: address });
        await raw.reply();
        await raw.login();
        const reply = await raw.command('PASV');
        const expected = address.split('.').join(',');
        assert.match(reply.lines[0]!, new RegExp(`^227 Entering Passive Mode \\(${expected},\\d+,\\d+\\)\\.$`), reply.text);
        raw.close();
      }
    } finally {
      await dual.close();
    }
  });

  test('PASV announces the public host when one is configured', async () => {
    const natted = await startServer({ publicHost: '203.0.113.7', files: { 'a.txt': 'a' } });
    try {
      const raw = await connectAndLogin(natted.port);
      assert.match((await raw.command('PASV')).lines[0]!, /^227 Entering Passive Mode \(203,0,113,7,\d+,\d+\)\.$/);
      // EPSV carries no address, so it keeps working for a client on the LAN.
      assert.match((await raw.command('EPSV')).lines[0]!, /^229 /);
      raw.close();
    } finally {
      await natted.close();
    }
  });

  test('lines are buffered across TCP packets, also a UTF-8 name split mid-character', async () => {
    const raw = await connectOnly(f.port);
    for (const piece of ['US', 'ER anon', 'ymous\r', '\n']) {
      raw.socket.write(piece);
      await sleep(15);
    }
    assert.equal((await raw.reply()).code, 331);
    raw.send('PASS x');
    assert.equal((await raw.reply()).code, 230);
    const line = Buffer.from('SIZE naïve файл 😀.txt\r\n', 'utf8');
    // Split inside "ï" (2 bytes), inside "ф" and inside the emoji (4 bytes).
    const cuts = [line.indexOf(Buffer.from('ï')) + 1, line.indexOf(Buffer.from('ф')) + 1, line.indexOf(Buffer.from('😀')) + 2];
    let start = 0;
    for (const cut of [...cuts, line.length]) {
      raw.socket.write(line.subarray(start, cut));
      start = cut;
      await sleep(15);
    }
    assert.deepEqual((await raw.reply()).lines, ['213 7']);
    // Two commands in one packet get two replies, in order.
    raw.socket.write('NOOP\r\nPWD\r\n');
    assert.equal((await raw.reply()).code, 200);
    assert.equal((await raw.reply()).code, 257);
    // A bare LF ends a line too, and Telnet IAC sequences are ignored.
    raw.socket.write(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('NOOP\n')]));
    assert.deepEqual((await raw.reply()).lines, ['200 NOOP ok']);
    // A lone CR ends a line at once: ftplib sends ABOR's CRLF as TCP urgent data and the final LF
    // never arrives. The LF that completes a CRLF later is not an extra (empty) command.
    raw.socket.write('NOOP\r');
    assert.deepEqual((await raw.reply()).lines, ['200 NOOP ok']);
    raw.socket.write('\nPWD\r\n');
    assert.deepEqual((await raw.reply()).lines, ['257 "/" is the current directory']);
    raw.close();
  });

  test('ABOR without a transfer is answered 225', async () => {
    const raw = await connectAndLogin(f.port);
    assert.equal((await raw.command('ABOR')).code, 225);
    await raw.pasv();
    assert.equal((await raw.command('ABOR')).code, 225);
    // ABOR closed the passive listener.
    assert.equal((await raw.command('LIST')).code, 425);
    raw.close();
  });

  test('data commands without PASV/PORT get 425; a failed download changes nothing', async () => {
    const raw = await connectAndLogin(f.port);
    for (const command of ['LIST', 'NLST', 'MLSD', 'RETR hello.txt', 'STOR new.txt', 'APPE new.txt', 'STOU']) {
      assert.deepEqual((await raw.command(command)).lines, ['425 Use PORT, PASV or EPSV first'], command);
    }
    await assert.rejects(fs.stat(path.join(f.root, 'new.txt')));
    const { final } = await download(raw, 'LIST /dir');
    assert.equal(final.code, 226);
    raw.close();
  });
});
