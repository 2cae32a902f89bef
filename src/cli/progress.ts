import cliProgress from 'cli-progress';

/** Progress of a long command: a bar with ETA on a terminal, a plain line now and then otherwise. */
export interface Progress {
  /** `done` of `total` (total may change, e.g. when a list's size becomes known); `info` is shown beside. */
  update(done: number, total: number, info?: string): void;
  /** Writes a line above the bar (a bad input line) without drawing over it. */
  note(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** "importing", "harvesting arXiv:cs" */
  label: string;
  /** Draw a bar: stderr is a terminal and the user did not ask for quiet. */
  tty: boolean;
  /** Plain lines when not a terminal: at most one per this many ms (default 10 s). */
  everyMs?: number;
  stream?: NodeJS.WriteStream;
  /** Units for the plain lines: bytes are shown in MB. */
  unit?: 'bytes' | 'records';
  now?: () => number;
}

const fmt = (n: number, unit: ProgressOptions['unit']) => (unit === 'bytes' ? `${(n / 1e6).toFixed(1)} MB` : n.toLocaleString('en-US'));

/**
 * A cli-progress bar (percentage, ETA) on a terminal; when stderr is a file or a pipe (cron, CI,
 * a container log), one readable line every `everyMs`: `harvesting arXiv:cs: 4,000 / 12,000 (33%), about 2 min left`.
 */
export function startProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  if (opts.tty) {
    const bar = new cliProgress.SingleBar(
      { format: `${opts.label} {bar} {percentage}% | {info} | eta {eta_formatted}`, stream, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, info = '') {
        if (!started) {
          bar.start(Math.max(total, 1), done, { info });
          started = true;
        } else {
          if (total !== bar.getTotal()) bar.setTotal(Math.max(total, 1));
          bar.update(done, { info });
        }
      },
      note(line) {
        stream.write(`\r\x1b[K${line}\n`);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const start = now();
  let last = start;
  const every = opts.everyMs ?? 10_000;
  return {
    update(done, total, info) {
      const t = now();
      if (t - last < every) return;
      last = t;
      const pct = total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : null;
      const rate = done / Math.max(1, t - start);
      const left = total > done && rate > 0 ? (total - done) / rate : null;
      const eta = left === null ? '' : `, about ${left < 90_000 ? `${Math.max(1, Math.round(left / 1000))} s` : `${Math.round(left / 60_000)} min`} left`;
      stream.write(`${opts.label}: ${fmt(done, opts.unit)}${total > 0 ? ` / ${fmt(total, opts.unit)} (${pct}%)` : ''}${eta}${info ? ` — ${info}` : ''}\n`);
    },
    note(line) {
      stream.write(`${line}\n`);
    },
    stop() {},
  };
}
