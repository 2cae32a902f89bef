import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { FeedService } from './feed.ts';
import { MailService } from './mail.ts';
import { SubscriptionService } from './subscriptions.ts';
import { DigestService } from './digest.ts';
import { OutboxSender } from './outbox-sender.ts';
import type { MailSender } from '../mail/sender.ts';

/**
 * The composition root's output: what HTTP routes, CLI commands and jobs may use. Routes and
 * commands call services; services call the store.
 */
export interface Services {
  config: Config;
  logger: Logger;
  store: Store;
  feed: FeedService;
  mail: MailService;
  subscriptions: SubscriptionService;
  digests: DigestService;
  outbox: OutboxSender;
  /** Releases what services hold open (the SMTP connection pool). */
  close(): Promise<void>;
}

export function createServices(deps: { config: Config; logger: Logger; store: Store; mailSender?: MailSender }): Services {
  const { store, config, logger } = deps;
  const mail = new MailService(config, store, deps.mailSender);
  return {
    config,
    logger,
    store,
    feed: new FeedService(store),
    mail,
    subscriptions: new SubscriptionService(store, mail, logger),
    digests: new DigestService(config, store, mail, logger),
    outbox: new OutboxSender(config, store, mail.sender, logger),
    close: () => mail.close(),
  };
}
