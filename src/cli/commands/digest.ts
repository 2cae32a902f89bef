import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { digestPeriod, duePeriods, formatDay, isIsoDay, type DigestPeriod } from '../../domain/digest-period.ts';
import { FREQUENCIES, type Frequency } from '../../domain/subscription.ts';

export const digestCommand: Command = {
  name: 'digest',
  summary: 'build and send the mail digests due on a day (and any retries due)',
  usage: 'paperboy digest send [--period daily|weekly] [--date YYYY-MM-DD] [--dry-run]',
  options: { period: { type: 'string' }, date: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run({ values, positionals }) {
    if (positionals.length !== 1 || positionals[0] !== 'send') throw new UsageError('the only digest subcommand is "send"');
    const date = (values.date as string | undefined) ?? new Date().toISOString().slice(0, 10);
    if (!isIsoDay(date)) throw new UsageError(`--date must be a day as YYYY-MM-DD, not "${date}"`);
    const freq = values.period as string | undefined;
    if (freq !== undefined && !FREQUENCIES.includes(freq as Frequency)) throw new UsageError(`--period must be daily or weekly, not "${freq}"`);
    let periods: DigestPeriod[];
    if (freq) {
      const p = digestPeriod(freq as Frequency, date);
      if (!p) throw new UsageError(`${freq === 'daily' ? 'daily digests go out on weekdays' : 'weekly digests go out on Mondays'}; ${date} is a ${formatDay(date).split(',')[0]}`);
      periods = [p];
    } else {
      periods = duePeriods(date);
      if (!periods.length) console.log(`no digest is due on ${formatDay(date)}`);
    }
    const dryRun = Boolean(values['dry-run']);

    return withServices(configFromFlags(values), async ({ services }) => {
      if (!services.mail.configured) console.log(`mail is not configured (SMTP_URL is not set): mails are written to ${services.config.mailDir}`);
      for (const period of periods) {
        const r = await services.digests.build(period, { dryRun });
        if (!r.papers) {
          console.log(`${period.key}: no papers on the feed from ${period.from} to ${period.to}; nothing to send`);
          continue;
        }
        console.log(
          `${period.key}: ${r.papers} papers, ${r.subscribers} subscribers: ${dryRun ? 'would create' : 'created'} ${r.created} digests` +
            `${r.existing ? `, ${r.existing} already built` : ''}${r.empty ? `, ${r.empty} with nothing in their categories` : ''}`,
        );
        if (dryRun && r.preview?.[0]) console.log(`\nfirst digest, to ${r.preview[0].to}: ${r.preview[0].subject}\n\n${r.preview[0].text}\n`);
      }
      if (dryRun) {
        console.log(`dry run: nothing stored or sent; ${await services.outbox.countUnsent()} messages are waiting in the outbox`);
        return 0;
      }
      const s = await services.outbox.sendDue();
      console.log(`sent ${s.sent}, deferred ${s.deferred} (temporary failures, retried later), failed ${s.failed}, paused addresses ${s.paused}${s.stopped ? ' — stopped early: the mail server is unreachable' : ''}`);
      return 0;
    });
  },
};
