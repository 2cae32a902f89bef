import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { SmtpSink } from '../helpers/smtp.ts';
import { activeSubscriber, feedDay } from '../helpers/mail-fixtures.ts';
import { digestPeriod } from '../../src/domain/digest-period.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PERIOD = digestPeriod('daily', '2025-06-04')!;
const SUBSCRIBERS = 30;

/** `paperboy digest send` in a child process, as an operator (or cron) would run it. */
function runSender(db: string, smtpUrl: string): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'digest', 'send', '--period', 'daily', '--date', PERIOD.date], {
    cwd: ROOT,
    env: { ...process.env, PAPERBOY_DB: db, SMTP_URL: smtpUrl, MAIL_CLAIM_SECONDS: '1', MAIL_RATE: '1000', PUBLIC_URL: 'http://paperboy.test', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, done: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out }))) };
}

forEachStore('digest sender killed mid-batch (SIGKILL) and restarted', (ctx) => {
  let smtp: SmtpSink;
  let current: ChildProcess | undefined;
  const KILL_AT = 11;

  before(async () => {
    // Message 11 arrives; the sender is killed before the server answers it: 10 were accepted.
    smtp = await new SmtpSink({
      verdict: (_m, n) => {
        if (n === KILL_AT && current) {
          current.kill('SIGKILL');
          return 'hang';
        }
        return { accept: true };
      },
    }).start();
  });
  after(async () => {
    await smtp.close();
  });

  test('every digest is delivered exactly once', async (t) => {
    const db = ctx.opened.location;
    if (!db) return t.skip('PGlite (in memory) cannot be shared with a child process');
    await feedDay(ctx.store, PERIOD.date, [{ upvotes: 5 }, { upvotes: 2 }, {}]);
    const emails = Array.from({ length: SUBSCRIBERS }, (_, i) => `crash${i}@example.test`);
    for (const e of emails) await activeSubscriber(ctx.store, e);

    const first = runSender(db, smtp.url);
    current = first.child;
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL', killed.out);
    assert.equal(smtp.accepted.length, KILL_AT - 1);
    const mid = await ctx.store.outbox.countsByStatus(PERIOD.key);
    assert.equal(mid.sent, KILL_AT - 1, 'each accepted message was recorded as sent before the next was tried');
    assert.equal((mid.sending ?? 0) + (mid.pending ?? 0), SUBSCRIBERS - (KILL_AT - 1));

    // The dead sender's claims expire after MAIL_CLAIM_SECONDS; a new run takes them over.
    await new Promise((r) => setTimeout(r, 1200));
    current = undefined;
    const second = runSender(db, smtp.url);
    const ok = await second.done;
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /daily:2025-06-04: .* created 0 digests, 30 already built/);

    const ids = smtp.accepted.map((m) => m.messageId);
    assert.equal(ids.length, SUBSCRIBERS, 'none missing');
    assert.equal(new Set(ids).size, SUBSCRIBERS, 'no duplicate');
    for (const e of emails) assert.equal(smtp.to(e).length, 1, e);
    assert.deepEqual(await ctx.store.outbox.countsByStatus(PERIOD.key), { sent: SUBSCRIBERS });
  });
});
