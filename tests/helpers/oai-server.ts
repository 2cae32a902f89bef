import fs from 'node:fs';
import type http from 'node:http';
import { sendXml, startReplayServer, type ReplayRequest } from './replay-server.ts';

export const oaiFixture = (name: string) => fs.readFileSync(new URL(`../fixtures/arxiv/${name}`, import.meta.url), 'utf8');

/** The three pages of the fixture list, keyed by how they are asked for. */
export const PAGES: Record<string, string> = {
  start: 'oai-list-page1.xml',
  'fixture|3': 'oai-list-page2.xml',
  'fixture|6': 'oai-list-page3.xml',
};

/**
 * A stand-in for arXiv's OAI-PMH endpoint serving the fixture list. `override` may answer a
 * request itself (a 503, a malformed page, a hang) and return true.
 */
export async function startOaiServer(override?: (req: ReplayRequest, res: http.ServerResponse, page: string) => boolean | Promise<boolean>) {
  return startReplayServer(async (req, res) => {
    const q = req.url.searchParams;
    if (q.get('verb') !== 'ListRecords') return sendXml(res, oaiFixture('oai-bad-argument.xml'));
    const token = q.get('resumptionToken');
    const from = q.get('from');
    const page = token ?? 'start';
    if (override && (await override(req, res, page))) return;
    if (token && !PAGES[token]) return sendXml(res, oaiFixture('oai-no-records.xml').replace('noRecordsMatch', 'badResumptionToken'));
    if (!token && from && from > '2025-11-17') return sendXml(res, oaiFixture('oai-no-records.xml'));
    if (!token && q.get('set') === 'nosuchset') return sendXml(res, oaiFixture('oai-bad-argument.xml'));
    sendXml(res, oaiFixture(PAGES[page]));
  });
}

export const FIXTURE_IDS = ['2511.10001', '2511.10002', 'hep-th/0101001', '2511.10003', '2511.10004', '2511.10005', '2511.10006'];
