import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { ServiceError } from '../../services/errors.ts';

/** `paperboy users promote <name>`: make an account an admin (logged in the audit log as "cli"). */
export const usersCommand: Command = {
  name: 'users',
  summary: 'manage accounts: promote NAME to admin',
  usage: 'paperboy users promote <name> [--db LOCATION]',
  options: {},
  async run({ values, positionals }) {
    const [action, name, ...rest] = positionals;
    if (action !== 'promote') throw new UsageError(`unknown action ${JSON.stringify(action ?? '')}; expected "promote"`);
    if (!name || rest.length) throw new UsageError('give exactly one username: paperboy users promote <name>');
    return withServices(configFromFlags(values), async ({ services }) => {
      try {
        const user = await services.moderation.promote(null, name);
        console.log(`${user.username} is now an admin`);
        return 0;
      } catch (err) {
        if (err instanceof ServiceError) {
          console.error(`error: ${err.message}`);
          return 1;
        }
        throw err;
      }
    });
  },
};
