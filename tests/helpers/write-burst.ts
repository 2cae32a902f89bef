import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.ts';

/** Settings that let a few test clients sign up, vote and comment hundreds of times a minute from one address. */
export const BURST_LIMITS: Record<string, string> = {
  RATE_LIMIT_SIGNUP_IP: '1000/60',
  // The writers make hundreds of API requests from one address in seconds; the read budget must not end the test.
  API_RATE_LIMIT_IP: '1000000',
  RATE_LIMIT_UPVOTE_USER: '100000/60',
  RATE_LIMIT_UPVOTE_IP: '100000/60',
  RATE_LIMIT_COMMENT_USER: '100000/60',
  RATE_LIMIT_COMMENT_IP: '100000/60',
};

/** A vote change the server acknowledged; `seq` orders one user's changes. */
export interface AckedVote {
  user: string;
  paper: string;
  up: boolean;
  seq: number;
}

/** The last acknowledged state of each (user, paper) vote is what is stored, and each paper's counter equals its rows. */
export async function assertVotesStored(db: Kysely<Database>, acked: AckedVote[]): Promise<void> {
  const last = new Map<string, boolean>();
  for (const v of [...acked].sort((a, b) => a.seq - b.seq)) last.set(`${v.user}|${v.paper}`, v.up);
  const rows = await db.selectFrom('upvotes').innerJoin('users', 'users.id', 'upvotes.user_id').select(['users.username', 'upvotes.paper_id']).execute();
  const stored = new Set(rows.map((r) => `${r.username}|${r.paper_id}`));
  for (const [key, up] of last) assert.equal(stored.has(key), up, `vote ${key} should be ${up ? 'there' : 'gone'}`);
  // The counter and the row change in one transaction.
  const drift = await sql<{ id: string }>`select p.id from papers p where p.upvotes <> (select count(*) from upvotes u where u.paper_id = p.id)`.execute(db);
  assert.deepEqual(drift.rows, []);
}
