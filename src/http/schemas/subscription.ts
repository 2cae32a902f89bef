import { z } from 'zod';
import { CATEGORY_PATTERN } from '../../domain/subscription.ts';

const categories = z
  .array(z.string().regex(CATEGORY_PATTERN, 'expected an arXiv category such as cs.LG, or an archive such as cs'))
  .max(50);

export const SubscribeBody = z.object({
  email: z.string().trim().max(254).pipe(z.email({ message: 'not an email address' })),
  frequency: z.enum(['daily', 'weekly']).default('daily'),
  categories: categories.default([]),
  personalPicks: z.boolean().default(true),
});

export const SubscribeResponse = z
  .object({
    status: z.literal('confirmation_pending'),
    message: z.string(),
    mailConfigured: z.boolean(),
  })
  .meta({ id: 'SubscribeResponse' });

export const MailStatusResponse = z.object({ configured: z.boolean() }).meta({ id: 'MailStatus' });
