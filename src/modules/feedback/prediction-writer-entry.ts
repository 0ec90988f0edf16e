// Runs in the prediction writer thread: the embedded prediction log's inserts, off the event loop
// that serves predictions. See threadedSqlitePredictionInsert.
import SqliteDatabase from 'better-sqlite3';
import { answerRequests } from '../../shared/thread-rpc.js';
import type { Database } from '../../store/schema.js';
import { sqliteRowsWriter } from './prediction-log.js';

export interface WriteRequest {
  /** the SQLite file the server opened (its own connection here; WAL lets both work at once) */
  file: string;
  rows: Array<Database['predictions']>;
}

let open: { file: string; write: (rows: Array<Database['predictions']>) => void } | undefined;

answerRequests(({ file, rows }: WriteRequest): number => {
  if (open?.file !== file) {
    const sqlite = new SqliteDatabase(file, { fileMustExist: true });
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    open = { file, write: sqliteRowsWriter(sqlite) };
  }
  open.write(rows);
  return rows.length;
});
