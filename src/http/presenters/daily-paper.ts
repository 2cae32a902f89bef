import type { FeedItem } from '../../domain/paper.ts';
import type { z } from 'zod';
import type { DailyPaperSchema } from '../schemas/daily-papers.ts';
import { presentPaper, type Enriched } from './paper.ts';

/**
 * A feed item as a Daily Papers API item: the paper, plus the item-level `title`, `publishedAt`
 * (the day it reached the feed), `submittedBy` and `numComments` that clients read.
 */
export function presentDailyPaper(item: FeedItem, enriched?: Enriched): z.infer<typeof DailyPaperSchema> {
  const paper = presentPaper(item.paper, enriched);
  const by = item.entry.submittedBy;
  return {
    paper,
    title: paper.title,
    summary: paper.summary,
    publishedAt: `${item.entry.day}T00:00:00.000Z`,
    submittedBy: by ? { name: by, fullname: by } : null,
    numComments: paper.numComments,
    thumbnail: paper.thumbnail,
  };
}
