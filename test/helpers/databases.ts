import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext } from 'node:test';
import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';

/** The PostgreSQL URL for tests, or undefined (tests then skip, except under CI=true where they fail). */
export function pgTestUrl(): string | undefined {
  const url = process.env.MODELGATE_TEST_DATABASE_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('MODELGATE_TEST_DATABASE_URL is not set: under CI=true the PostgreSQL tests must run');
  }
  return url;
}

/** A fresh, empty place for one test's data: a temp dir for SQLite, a new schema for PostgreSQL. */
export interface TestDatabase {
  dialect: TestDialect;
  home: string;
  databaseUrl?: string;
  pgSchema?: string;
  cleanup(): Promise<void>;
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const home = mkdtempSync(join(tmpdir(), 'modelgate-test-'));
  if (dialect === 'sqlite') {
    return { dialect, home, cleanup: () => Promise.resolve(rmSync(home, { recursive: true, force: true })) };
  }
  const url = pgTestUrl()!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  return {
    dialect,
    home,
    databaseUrl: url,
    pgSchema: schema,
    async cleanup() {
      rmSync(home, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

/**
 * Runs the same suite against SQLite and PostgreSQL. Without MODELGATE_TEST_DATABASE_URL the
 * PostgreSQL half is skipped with a visible reason.
 */
export function describeEachDatabase(name: string, suite: (dialect: TestDialect) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const skip = dialect === 'postgres' && !pgTestUrl() ? 'MODELGATE_TEST_DATABASE_URL is not set' : false;
    describe(`${name} [${dialect}]`, { skip }, () => suite(dialect));
  }
}

/** A test database that is dropped when the test ends. */
export async function testDatabase(
  dialect: TestDialect,
  t: Pick<TestContext, 'after'>,
): Promise<TestDatabase> {
  const db = await createTestDatabase(dialect);
  t.after(() => db.cleanup());
  return db;
}
