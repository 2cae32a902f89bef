import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { checkpointInThread } from '../../src/store/checkpoint-thread.ts';
import { openRuntime } from '../../src/services/runtime.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';

/**
 * A serving process's commits never checkpoint the write-ahead log: SQLite did it in the commit
 * that took the log past 1,000 pages, 30–55 ms of the request thread at once (issue 19, BENCHMARKS
 * "Background jobs", round 22). A thread with its own connection checkpoints instead. Told apart by
 * the log itself: a checkpointed log starts over at the next write, one that was not keeps growing.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-checkpoint-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Frames in the log, as another connection sees it (PASSIVE: it copies them, but the log only starts over at the next write). */
function logFrames(file: string): number {
  const other = new SQLite(file);
  try {
    return (other.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0].log;
  } finally {
    other.close();
  }
}

/** Writes ~`mb` MB in `mb` commits (1 MB models), through the store's own connection. */
async function write(store: Awaited<ReturnType<typeof openStore>>['store'], mb: number, tag: string): Promise<void> {
  for (let i = 0; i < mb; i++) await store.search.saveModel(`model-${tag}-${i}`, `m-${i}`, Buffer.alloc(1 << 20, i + 1));
}

test('the request connection never checkpoints: its log grows past 1,000 pages, and the thread checkpoints it', async () => {
  const file = path.join(dir, 'store.db');
  const opened = await openStore(file);
  // No checkpoint of its own while the writes run (an hour): the one asked for below.
  const thread = checkpointInThread(opened.connection.sqlite!, file, 3_600_000);
  try {
    await write(opened.store, 8, 'a');
    const frames = logFrames(file);
    // 8 MB of 4 KB pages: over 2,000 frames. A commit that checkpointed at 1,000 would have started the log over.
    assert.ok(frames > 2000, `the log holds ${frames} frames after 8 MB of commits`);
    const done = new Promise<{ log: number; checkpointed: number }>((resolve) => (thread.onCheckpoint = resolve));
    await write(opened.store, 1, 'b');
    thread.checkpointNow();
    const r = await Promise.race([done, new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000).unref())]);
    assert.ok(r && r.checkpointed > 0, 'the thread checkpointed the log');
    // Checkpointed: the next write starts the log over.
    await write(opened.store, 1, 'c');
    assert.ok(logFrames(file) < 1000, 'the log started over after the thread checkpointed it');
  } finally {
    await thread.close();
    await opened.close();
  }
});

test('a checkpoint thread that fails hands the checkpoints back to the request connection', async () => {
  const file = path.join(dir, 'failing.db');
  const opened = await openStore(file);
  try {
    const sqlite = opened.connection.sqlite!;
    // Its connection cannot open: the thread fails at once.
    checkpointInThread(sqlite, path.join(dir, 'no-such-dir', 'store.db'), 50);
    const until = Date.now() + 20_000;
    while (sqlite.pragma('wal_autocheckpoint', { simple: true }) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(sqlite.pragma('wal_autocheckpoint', { simple: true }), 1000);
  } finally {
    await opened.close();
  }
});

test('a serving store opened with the checkpoint thread closes it with the store', async () => {
  const file = path.join(dir, 'serving.db');
  const opened = await openStore(file, { checkpointThread: true });
  assert.ok(opened.checkpoints, 'a SQLite file gets the thread');
  assert.equal(opened.connection.sqlite!.pragma('wal_autocheckpoint', { simple: true }), 0);
  await opened.close();
  const memory = await openStore(':memory:', { checkpointThread: true });
  assert.equal(memory.checkpoints, undefined, 'an in-memory store has no log to checkpoint');
  await memory.close();
});

test('serve and worker (a serving runtime) checkpoint in the thread; a command does not', async () => {
  const config = loadConfig({ PAPERBOY_DB: path.join(dir, 'runtime.db'), PAPERBOY_DEMO: 'false' });
  for (const serving of [true, false]) {
    const runtime = await openRuntime(config, createLogger('silent'), { serving });
    try {
      assert.equal(runtime.checkpointsInThread, serving);
    } finally {
      await runtime.close();
    }
  }
  // A command that asks for it (`paperboy reindex`: its bulk commits) gets the thread too.
  const runtime = await openRuntime(config, createLogger('silent'), { checkpointThread: true });
  try {
    assert.equal(runtime.checkpointsInThread, true);
  } finally {
    await runtime.close();
  }
});
