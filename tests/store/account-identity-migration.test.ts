import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator } from 'kysely';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';

// Migration 1020 puts unique indexes on lower(username) and lower(email). A store that already
// holds names or addresses differing only in case (the sign-up race made them) must migrate:
// the oldest account keeps its name and address, later ones are renamed / unaddressed, audited.

forEachStore('migration 1020: names and addresses that differ only in case', (ctx) => {
  test('the oldest account keeps the name and the address; the others are renamed or unaddressed, in the audit log', async () => {
    const db = testDb(ctx.store);
    const back = await new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, allowUnorderedMigrations: true }).migrateTo('0901_discovery');
    assert.equal(back.error, undefined, String(back.error));
    const at = '2026-01-01T00:00:00.000Z';
    const add = (username: string, email: string) => db.insertInto('users').values({ username, email, password_hash: 'x', role: 'member', created_at: at } as never).execute();
    await add('Bob', 'bob@example.org');
    await add('bob', 'other@example.org');
    await add('carol', 'Carol@Example.org');
    await add('carol2', 'carol@example.org');
    await migrateToLatest(db);

    const users = await db.selectFrom('users').select(['id', 'username', 'email', 'email_verified_at']).orderBy('id').execute();
    const bobId = users[1].id;
    const carol2Id = users[3].id;
    assert.deepEqual(
      users.map((u) => [u.username, u.email, u.email_verified_at]),
      [
        ['Bob', 'bob@example.org', null],
        [`bob-${bobId}`, 'other@example.org', null],
        ['carol', 'Carol@Example.org', null],
        ['carol2', `duplicate-${carol2Id}@invalid`, null],
      ],
    );
    const audit = await db.selectFrom('audit_log').select(['actor_name', 'action', 'target_id']).where('actor_name', '=', 'migration').orderBy('id').execute();
    assert.deepEqual(audit.map((a) => [a.action, a.target_id]), [['user.rename', `bob-${bobId}`], ['user.email_cleared', 'carol2']]);
    await assert.rejects(ctx.store.users.create({ username: 'BOB', email: 'new@example.org', passwordHash: 'x' }));
    await assert.rejects(ctx.store.users.create({ username: 'dave', email: 'CAROL@example.org', passwordHash: 'x' }));
  });
});
