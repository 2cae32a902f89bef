import type { Command } from '../command.ts';
import { backupCommand, restoreCommand } from './backup.ts';
import { configCommand } from './config.ts';
import { digestCommand } from './digest.ts';
import { fetchCommand } from './fetch.ts';
import { harvestCommand } from './harvest.ts';
import { importCommand } from './import.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { statsCommand } from './stats.ts';
import { workerCommand } from './worker.ts';
import { usersCommand } from './users.ts';
import { searchCommand } from './search.ts';
import { similarCommand } from './similar.ts';
import { reindexCommand } from './reindex.ts';
import { modelsCommand } from './models.ts';
import { enrichCommand } from './enrich.ts';

export const COMMANDS: Command[] = [
  serveCommand,
  workerCommand,
  importCommand,
  harvestCommand,
  fetchCommand,
  searchCommand,
  similarCommand,
  reindexCommand,
  modelsCommand,
  enrichCommand,
  digestCommand,
  usersCommand,
  migrateCommand,
  statsCommand,
  backupCommand,
  restoreCommand,
  configCommand,
];
