import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { readIndexFile, writeIndexFile } from '../../src/search/index-file.ts';
import { BACKGROUND_NICE, lowerThisThreadPriority } from '../../src/thread-priority.ts';

/**
 * Background threads yield the cores to the request thread (issue 19, start-up under load): on two
 * cores a serving process's index reader thread — a 63 MB published file read and hashed at 75k
 * papers, just after the port opens — took the core a waiting request needed (BENCHMARKS,
 * start-up, round 19). Linux only: elsewhere the priority is left as it is.
 */
const linux = process.platform === 'linux';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-priority-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Each thread of this process: its id and nice value (field 19 of /proc/self/task/<tid>/stat). */
function threads(): Array<{ tid: number; nice: number }> {
  return fs.readdirSync('/proc/self/task').map((tid) => {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(tid), nice: Number(fields[16]) };
  });
}

test('the index file reader thread runs below the request thread, which keeps its priority', { skip: !linux && 'Linux only' }, async () => {
  const mainNice = os.getPriority(process.pid);
  const before = new Set(threads().map((t) => t.tid));
  const file = path.join(dir, 'small.idx');
  await writeIndexFile(file, { kind: 'test', format: 1, meta: {}, sections: { a: new Uint32Array([1, 2, 3]) } });
  // The read goes through the reader thread (started on the first read when nothing started it before).
  const back = await readIndexFile(file, { kind: 'test', format: 1 });
  assert.deepEqual([...(back.sections.a as Uint32Array)], [1, 2, 3]);
  const lowered = threads().filter((t) => t.nice >= BACKGROUND_NICE);
  assert.ok(lowered.length >= 1, `a thread at nice ${BACKGROUND_NICE} or lower priority: ${JSON.stringify(threads())}`);
  assert.ok(lowered.every((t) => !before.has(t.tid)), 'only a thread started for the read was lowered');
  assert.equal(os.getPriority(process.pid), mainNice, 'the request thread (the process id) keeps its priority');
});

test('lowerThisThreadPriority lowers the calling worker thread only, and never the main thread', { skip: !linux && 'Linux only' }, async () => {
  const mainNice = os.getPriority(process.pid);
  assert.equal(lowerThisThreadPriority(), null, 'on the main thread it does nothing');
  assert.equal(os.getPriority(process.pid), mainNice);
  const url = new URL('../../src/thread-priority.ts', import.meta.url).href;
  const worker = new Worker(
    `import { register } from 'tsx/esm/api'; register();
     const { parentPort } = await import('node:worker_threads');
     const os = await import('node:os');
     const { lowerThisThreadPriority } = await import(${JSON.stringify(url)});
     const tid = lowerThisThreadPriority();
     parentPort.postMessage({ tid, nice: os.getPriority(tid) });`,
    { eval: true },
  );
  const reply = await new Promise<{ tid: number; nice: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.ok(reply.tid > 0 && reply.tid !== process.pid, `a thread id of its own: ${reply.tid}`);
  assert.equal(reply.nice, BACKGROUND_NICE);
  assert.equal(os.getPriority(process.pid), mainNice, 'the main thread is not lowered with it');
});
