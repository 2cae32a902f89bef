import type { Command } from '../command.ts';
import { configCommand } from './config.ts';
import { importCommand } from './import.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { statsCommand } from './stats.ts';
import { usersCommand } from './users.ts';

export const COMMANDS: Command[] = [serveCommand, importCommand, migrateCommand, statsCommand, configCommand, usersCommand];
