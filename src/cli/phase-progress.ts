import cliProgress from 'cli-progress';

interface Phase {
  started: number;
  done: number;
  total: number;
  bar: cliProgress.SingleBar | null;
  ended: boolean;
}

export interface PhaseProgress {
  /** `done` of `total` units of the named phase; a phase ends when done reaches total (or at `end`). */
  update(name: string, done: number, total: number): void;
  /** Ends every phase still open (the command is finishing). */
  end(): void;
}

/**
 * Progress of a command's phases, some of which run at the same time (`reindex` trains its model
 * on a worker thread while it rebuilds the full-text index). On a terminal (`bars`) a bar per phase
 * with its rate and ETA; otherwise one line per phase when it ends, with its count, time and rate.
 */
export function phaseProgress(bars: boolean, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): PhaseProgress {
  const phases = new Map<string, Phase>();
  const multi = bars
    ? new cliProgress.MultiBar(
        { format: '{phase} {bar} {value}/{total} | {rate}/s | eta {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: false, stopOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const finish = (name: string, p: Phase) => {
    if (p.ended) return;
    p.ended = true;
    const s = (performance.now() - p.started) / 1000;
    if (p.bar) return;
    const rate = s >= 0.1 ? ` (${Math.round(p.done / s)}/s)` : '';
    write(`${name}: ${p.done}/${p.total} in ${s.toFixed(1)} s${rate}`);
  };
  return {
    update(name, done, total) {
      let p = phases.get(name);
      // A phase that already ended complete: a repeated final report of it draws nothing.
      if (p?.ended && done >= total) return;
      if (!p || p.ended) {
        p = { started: performance.now(), done: 0, total, bar: multi?.create(total, 0, { phase: name.padEnd(26), rate: 0 }) ?? null, ended: false };
        phases.set(name, p);
      }
      const s = (performance.now() - p.started) / 1000;
      p.done = done;
      p.total = total;
      p.bar?.setTotal(total);
      p.bar?.update(done, { phase: name.padEnd(26), rate: s > 0 ? Math.round(done / s) : 0 });
      if (done >= total) finish(name, p);
    },
    end() {
      for (const [name, p] of phases) finish(name, p);
      multi?.stop();
    },
  };
}
