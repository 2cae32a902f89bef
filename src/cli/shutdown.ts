import os from 'node:os';
import type { Logger } from '../logger.ts';
import { ShutdownError } from '../shutdown.ts';

/** After the deadline, how long the last steps (answers to aborted calls, leases, the store) may take before the process exits anyway. */
const AFTER_DEADLINE_MS = 800;

/**
 * The one shutdown sequence of `serve` and `worker`. On the first SIGTERM or SIGINT:
 * 1. `stopping` aborts: jobs stop at their next checkpoint; the command's `steps` begin (stop
 *    accepting connections, wait for in-flight requests and job steps, close the store last).
 * 2. `timeoutMs` later `deadline` aborts with a ShutdownError: every outbound call (arXiv, SMTP,
 *    the embeddings server) listens to it, so whatever still waits on one ends at once.
 * 3. When the steps are done: "stopped", and the process exits at once, whatever timers, retries
 *    or sockets remain. Should the steps hang past the deadline, it exits anyway shortly after.
 * A second signal exits at once, as users expect from Ctrl-C twice.
 */
export class GracefulShutdown {
  private readonly stoppingController = new AbortController();
  private readonly deadlineController = new AbortController();
  /** Aborts when the shutdown begins. */
  readonly stopping = this.stoppingController.signal;
  /** Aborts `timeoutMs` after the shutdown began: outbound calls stop here. */
  readonly deadline = this.deadlineController.signal;

  constructor(
    private readonly logger: Logger,
    readonly timeoutMs: number,
  ) {}

  /** Waits for SIGTERM or SIGINT, runs the sequence and exits the process; never returns. */
  untilSignal(message: string, steps: () => Promise<void>): Promise<never> {
    return new Promise<never>(() => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (this.stopping.aborted) {
          this.logger.warn({ signal }, 'second signal: exiting now, without finishing the shutdown');
          process.exit(128 + (os.constants.signals[signal] ?? 0));
        }
        void this.run(signal, message, steps);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  }

  private async run(signal: NodeJS.Signals, message: string, steps: () => Promise<void>): Promise<void> {
    this.logger.info({ signal, timeoutMs: this.timeoutMs }, message);
    this.stoppingController.abort(new ShutdownError());
    const deadline = setTimeout(() => {
      this.logger.warn({ timeoutMs: this.timeoutMs }, 'shutdown deadline reached: aborting outbound calls and closing what is still open');
      this.deadlineController.abort(new ShutdownError());
    }, this.timeoutMs);
    const backstop = setTimeout(() => {
      this.logger.error('shutdown did not finish after its deadline: exiting anyway');
      process.exit(1);
    }, this.timeoutMs + AFTER_DEADLINE_MS);
    let code = 0;
    try {
      await steps();
    } catch (err) {
      this.logger.error({ err }, 'shutdown step failed');
      code = 1;
    }
    clearTimeout(deadline);
    clearTimeout(backstop);
    this.logger.info('stopped');
    // Nothing left needs the event loop: leftover timers, keep-alive sockets or a client's retry must not hold the process.
    process.exit(code);
  }
}
