/**
 * CPU of processes by pid, read from /proc: the server's own, and the CPU of the PostgreSQL backends
 * serving one database over a run — the two sides of "CPU per request" in the load benches.
 */
import fs from 'node:fs';
import type pg from 'pg';

const TICK_MS = 1000 / 100; // USER_HZ: /proc reports CPU in hundredths of a second on Linux

/** utime + stime of a process, in ms; 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * CPU of the database's backends (other than `client`'s own) over a run: read every 250 ms, so that
 * a connection the pool closes mid-run still counts what it spent until the last reading; one opened
 * mid-run counts from zero. Call the returned function at the end of the run: total ms.
 */
export async function watchBackends(client: pg.Client): Promise<() => Promise<number>> {
  const backends = async () => (await client.query('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map((r) => Number(r.pid));
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (const p of await backends()) first.set(p, cpuMs(p));
  const read = async () => {
    for (const p of await backends()) {
      const ms = cpuMs(p);
      if (ms) last.set(p, ms);
    }
  };
  await read();
  const timer = setInterval(() => void read(), 250);
  return async () => {
    clearInterval(timer);
    await read();
    let total = 0;
    for (const [p, ms] of last) total += ms - (first.get(p) ?? 0);
    return total;
  };
}
