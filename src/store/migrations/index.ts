import type { Migration } from 'kysely';
import * as m0001 from './0001_papers.ts';
import * as m0002 from './0002_leases_and_limits.ts';
import * as m0003 from './0003_community_tables.ts';
import * as m0300 from './0300_harvest_state.ts';
import * as m0601 from './0601_accounts_and_moderation.ts';
import * as m0602 from './0602_partial_submitted_index.ts';
import * as m0701 from './0701_mail.ts';
import * as m0801 from './0801_api_read_indexes.ts';
import * as m0802 from './0802_drop_covered_indexes.ts';
import * as m0901 from './0901_discovery.ts';
import * as m0401 from './0401_search.ts';
import * as m0402 from './0402_search_insert_watermark.ts';
import * as m0403 from './0403_papers_modified_index_pg.ts';
import * as m0450 from './0450_search_models.ts';
import * as m0460 from './0460_embedding_spaces.ts';
import * as m0501 from './0501_feed_rank_index.ts';
import * as m1000 from './1000_comment_html.ts';
import * as m1001 from './1001_http_links.ts';
import * as m1060 from './1060_flash_messages.ts';
import * as m1100 from './1100_papers_doi_index.ts';
import * as m1101 from './1101_zotero.ts';
import * as m1102 from './1102_reports.ts';
import * as m1020 from './1020_account_identity.ts';
import * as m1021 from './1021_token_scopes.ts';
import * as m1022 from './1022_submission_quota.ts';
import * as m1110 from './1110_paper_reads.ts';
import * as m1220 from './1220_paper_enrichments.ts';
import * as m1320 from './1320_author_claims.ts';
import * as m1321 from './1321_organisations.ts';
import * as m1300 from './1300_notifications.ts';
import * as m1400 from './1400_search_index_files.ts';
import * as m1430 from './1430_pg_bulk_load.ts';
import * as m1350 from './1350_notifications_read_age_index.ts';
import * as m1500 from './1500_search_queue_visibility.ts';
import * as m1501 from './1501_search_field_gap.ts';
import * as m1200 from './1200_enrichment.ts';
import * as m1502 from './1502_search_pdf_text.ts';
import * as m1600 from './1600_thumbnail_blobs.ts';
import * as m1700 from './1700_papers_change_count.ts';
import * as m1800 from './1800_paper_term_vectors.ts';
import * as m1900 from './1900_paper_similar_lists.ts';
import * as m2000 from './2000_index_versions_papers_mark.ts';
import * as m2100 from './2100_search_backfill.ts';

/**
 * Every migration, by name. Names sort in the order they run; each feature's migrations use their
 * own number range, so features developed side by side do not collide: 00xx foundation, 03xx
 * ingestion, 04xx search, 05xx site, 06xx community, 07xx mail, 08xx API, 09xx discovery, 10xx ops.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_papers': m0001,
  '0002_leases_and_limits': m0002,
  '0003_community_tables': m0003,
  '0300_harvest_state': m0300,
  '0601_accounts_and_moderation': m0601,
  '0602_partial_submitted_index': m0602,
  '0701_mail': m0701,
  '0801_api_read_indexes': m0801,
  '0802_drop_covered_indexes': m0802,
  '0901_discovery': m0901,
  '0401_search': m0401,
  '0402_search_insert_watermark': m0402,
  '0403_papers_modified_index_pg': m0403,
  '0450_search_models': m0450,
  '0460_embedding_spaces': m0460,
  '0501_feed_rank_index': m0501,
  '1000_comment_html': m1000,
  '1001_http_links': m1001,
  '1060_flash_messages': m1060,
  '1100_papers_doi_index': m1100,
  '1101_zotero': m1101,
  '1102_reports': m1102,
  '1020_account_identity': m1020,
  '1021_token_scopes': m1021,
  '1022_submission_quota': m1022,
  '1110_paper_reads': m1110,
  '1220_paper_enrichments': m1220,
  '1320_author_claims': m1320,
  '1321_organisations': m1321,
  '1300_notifications': m1300,
  '1350_notifications_read_age_index': m1350,
  '1400_search_index_files': m1400,
  '1430_pg_bulk_load': m1430,
  '1500_search_queue_visibility': m1500,
  '1501_search_field_gap': m1501,
  '1200_enrichment': m1200,
  '1502_search_pdf_text': m1502,
  '1600_thumbnail_blobs': m1600,
  '1700_papers_change_count': m1700,
  '1800_paper_term_vectors': m1800,
  '1900_paper_similar_lists': m1900,
  '2000_index_versions_papers_mark': m2000,
  '2100_search_backfill': m2100,
};
