import type { Command } from '../command.ts';
import { configCommand } from './config.ts';
import { digestCommand } from './digest.ts';
import { importCommand } from './import.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { statsCommand } from './stats.ts';

export const COMMANDS: Command[] = [serveCommand, importCommand, migrateCommand, statsCommand, configCommand, digestCommand];
