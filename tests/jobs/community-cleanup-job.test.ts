import assert from 'node:assert/strict';
import { test } from 'node:test';
import { communityCleanupJob } from '../../src/jobs/community-cleanup-job.ts';
import { HousekeepingService } from '../../src/services/housekeeping.ts';
import { hashToken } from '../../src/services/secrets.ts';
import { forEachStore } from '../helpers/contract.ts';

forEachStore('community cleanup job', (ctx) => {
  test('drops expired sessions, spent reset links and idle log-in counters; keeps live ones', async () => {
    const { store } = ctx;
    const user = await store.users.create({ username: 'cleaner', email: 'c@example.org', passwordHash: 'x' });
    const past = new Date(Date.now() - 3600_000).toISOString();
    const future = new Date(Date.now() + 3600_000).toISOString();
    await store.sessions.create({ idHash: 'old', userId: user.id, csrfToken: 't', expiresAt: past });
    await store.sessions.create({ idHash: 'live', userId: user.id, csrfToken: 't', expiresAt: future });
    await store.passwordResets.create({ tokenHash: hashToken('expired'), userId: user.id, expiresAt: past });
    await store.passwordResets.create({ tokenHash: hashToken('used'), userId: user.id, expiresAt: future });
    await store.passwordResets.consume(hashToken('used'));
    await store.passwordResets.create({ tokenHash: hashToken('valid'), userId: user.id, expiresAt: future });
    const policy = { freeAttempts: 1, baseSeconds: 1, maxSeconds: 1 };
    await store.loginFailures.recordFailure('user:idle', policy, Date.now() - 2 * 86_400_000);
    await store.loginFailures.recordFailure('user:recent', { freeAttempts: 1, baseSeconds: 600, maxSeconds: 600 });

    const stats = await communityCleanupJob(new HousekeepingService(store)).run(new AbortController().signal);
    assert.equal(stats.sessions, 1);
    assert.equal(stats.passwordResets, 2);
    assert.equal(stats.loginFailures, 1);
    assert.equal(await store.sessions.countForUser(user.id), 1);
    assert.equal(await store.passwordResets.isValid(hashToken('valid')), true);
    assert.ok((await store.loginFailures.lockedFor('user:recent')) > 0, 'a recent, locked counter stays');
    assert.equal(await store.loginFailures.recordFailure('user:idle', { freeAttempts: 2, baseSeconds: 1, maxSeconds: 1 }), 0, 'the idle counter started over');
  });
});
