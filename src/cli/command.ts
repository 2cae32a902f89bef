import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Options;
  /** Returns the exit status. */
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

/** A mistake in how a command was called: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Options every command accepts. */
export const COMMON_OPTIONS: Options = {
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export function parseCommandArgs(cmd: Command, argv: string[]) {
  const options = { ...COMMON_OPTIONS, ...cmd.options };
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const valid = Object.entries(options)
      .map(([k, o]) => `--${k}${o.type === 'string' ? ' <value>' : ''}`)
      .join(', ');
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${msg}\nvalid options for "${cmd.name}": ${valid}`);
  }
}
