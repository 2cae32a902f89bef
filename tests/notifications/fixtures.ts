import assert from 'node:assert/strict';
import type { Client } from '../helpers/community.ts';

/** Settings for an app whose readers comment and get mail quickly (limits raised, a fixed site URL). */
export const NOTIFY_APP_ENV = { RATE_LIMIT_COMMENT_USER: '1000/60', RATE_LIMIT_COMMENT_IP: '1000/60', RATE_LIMIT_DISCOVERY_USER: '1000/60', MAIL_RATE: '1000', PUBLIC_URL: 'http://paperboy.test' };

/** Posts a comment (or a reply) through the API and returns its id. */
export async function say(c: Client, paperId: string, body: string, parentId?: number): Promise<{ id: number }> {
  const r = await c.post(`/api/papers/${paperId}/comments`, { body, parentId });
  assert.equal(r.status, 201, r.text);
  return r.json as { id: number };
}
