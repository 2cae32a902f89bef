import type { Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { redactUrl } from '../../config.ts';
import { settingsMarkdown } from '../../config.ts';

export const configCommand: Command = {
  name: 'config',
  summary: 'print the effective settings (or, with --markdown, the table of every setting)',
  usage: 'paperboy config [--markdown]',
  options: { markdown: { type: 'boolean' } },
  async run({ values }) {
    if (values.markdown) {
      console.log(settingsMarkdown());
      return 0;
    }
    const config = configFromFlags(values);
    const shown = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'string' && v.includes('://') ? redactUrl(v) : v]));
    console.log(JSON.stringify(shown, null, 2));
    return 0;
  },
};
