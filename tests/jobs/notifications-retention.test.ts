import assert from 'node:assert/strict';
import { test } from 'node:test';
import { communityCleanupJob } from '../../src/jobs/community-cleanup-job.ts';
import { HousekeepingService } from '../../src/services/housekeeping.ts';
import { loadConfig } from '../../src/config.ts';
import { forEachStore } from '../helpers/contract.ts';

const DAY = 86_400_000;

forEachStore('notifications retention in the community cleanup', (ctx) => {
  test('read notifications older than NOTIFICATIONS_KEEP_DAYS go; unread ones stay however old; newer read ones stay', async () => {
    const { store } = ctx;
    const user = await store.users.create({ username: 'keeper', email: 'keeper@example.org', passwordHash: 'x' });
    const other = await store.users.create({ username: 'other', email: 'other@example.org', passwordHash: 'x' });
    const at = (days: number) => new Date(Date.now() - days * DAY).toISOString();
    const add = (userId: number, key: string, days: number) => store.notifications.add({ userId, kind: 'claim_decided', actorId: null, paperId: null, commentId: null, detail: { outcome: 'approved' }, dedupeKey: key }, at(days));
    await add(user.id, 'old-read', 200);
    await add(user.id, 'recent-read', 10);
    await add(other.id, 'other-old-read', 400);
    await store.notifications.markAllRead(user.id);
    await store.notifications.markAllRead(other.id);
    await add(user.id, 'old-unread', 300);
    const keys = async (userId: number) => (await store.notifications.list(userId, { limit: 50 })).length;

    const stats = await communityCleanupJob(new HousekeepingService(store)).run(new AbortController().signal);
    assert.equal(stats.readNotifications, 2, 'the default keeps 180 days');
    assert.equal(await keys(user.id), 2, 'the recent read one and the old unread one');
    assert.equal(await store.notifications.unreadCount(user.id), 1);
    assert.equal(await keys(other.id), 0);

    const keepDays = loadConfig({ PAPERBOY_DB: ':memory:', NOTIFICATIONS_KEEP_DAYS: '5' }).notificationsKeepDays;
    assert.equal(keepDays, 5);
    const tighter = await new HousekeepingService(store, { notificationsKeepDays: keepDays }).prune();
    assert.equal(tighter.readNotifications, 1);
    const left = await store.notifications.list(user.id, { limit: 50 });
    assert.equal(left.length, 1);
    assert.equal(left[0].readAt, null, 'only the unread one is left');
    assert.throws(() => loadConfig({ PAPERBOY_DB: ':memory:', NOTIFICATIONS_KEEP_DAYS: '0' }));
  });
});
