import { COMMANDS } from './commands/index.ts';
import { UsageError, parseCommandArgs } from './command.ts';
import { ConfigError } from '../config.ts';
import { BackupError, SchemaTooNewError, StoreUnavailableError } from '../services/store-errors.ts';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: paperboy <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'every command takes --db LOCATION (else PAPERBOY_DB) and --help',
  ].join('\n');
}

/** Runs one CLI invocation and returns its exit status: 0 ok, 1 partly failed, 2 bad usage or unusable settings. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(cmd, rest);
    if (args.values.help) {
      console.log(`usage: ${cmd.usage}\n\n${cmd.summary}`);
      return 0;
    }
    return await cmd.run(args as { values: Record<string, unknown>; positionals: string[] });
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`paperboy ${cmd.name}: ${err.message}\nusage: ${cmd.usage}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof StoreUnavailableError || err instanceof SchemaTooNewError || err instanceof BackupError) {
      console.error(`paperboy ${cmd.name}: ${err.message}`);
      return 2;
    }
    console.error(`paperboy ${cmd.name}: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/src/cli/main.ts');
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
