/**
 * A preload for a real `paperboy serve` in tests (`node --import <this file>`): when the port opens,
 * how much of the request thread's own CPU ran after it before the event loop took its next turn (a
 * 1 ms timer's callback) — what a request that arrives as the port opens waits for —, and which of
 * the process's threads were running at a lowered priority by then. One JSON line on stderr:
 * `{"listenProbe":true,"cpuAfterListenMs":…,"threadsAtListen":n,"lowThreadsAtListen":n}`.
 * Linux only (/proc); plain JavaScript, main thread only.
 */
import fs from 'node:fs';
import net from 'node:net';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.platform === 'linux') {
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const cpuMs = () => Number(fs.readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6;
  const niceOf = (tid) => {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  };
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    this.once('listening', () => {
      const at = cpuMs();
      const tids = fs.readdirSync('/proc/self/task');
      const low = tids.filter((t) => niceOf(t) > 0).length;
      const timer = setInterval(() => {
        clearInterval(timer);
        process.stderr.write(JSON.stringify({ listenProbe: true, cpuAfterListenMs: +(cpuMs() - at).toFixed(2), threadsAtListen: tids.length, lowThreadsAtListen: low }) + '\n');
      }, 1);
    });
    return listen.apply(this, args);
  };
}
