import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from './server.js';

/** Changes the stored bytes of a blob behind the registry's back (disk file or database row). */
export async function tamperBlob(s: TestServer, sha256: string): Promise<void> {
  const { runtime } = s.server;
  if (runtime.db.dialect === 'sqlite') {
    const path = join(s.home, 'artifacts', 'sha256', sha256.slice(0, 2), sha256);
    chmodSync(path, 0o644);
    writeFileSync(path, Buffer.from('not the model that was registered'));
    return;
  }
  await runtime.db.db
    .updateTable('blob_chunks')
    .set({ data: Buffer.from('not the model that was registered') })
    .where('sha256', '=', sha256)
    .execute();
}
