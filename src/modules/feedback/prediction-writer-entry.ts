// Runs in the prediction writer thread: the embedded prediction log's inserts, off the event loop
// that serves predictions. See threadedSqlitePredictionInsert.
import SqliteDatabase from 'better-sqlite3';
import { answerRequests, threadData } from '../../shared/thread-rpc.js';
import type { Database } from '../../store/schema.js';
import { sqliteRowsWriter } from './prediction-log.js';

/** The rows of one batch. */
export type WriteRequest = Array<Database['predictions']>;

// the SQLite file the server opened: a connection of this thread's own (WAL lets both work at once)
const sqlite = new SqliteDatabase(threadData<string>(), { fileMustExist: true });
sqlite.pragma('synchronous = NORMAL');
sqlite.pragma('busy_timeout = 5000');
const write = sqliteRowsWriter(sqlite);

answerRequests((rows: WriteRequest): number => {
  write(rows);
  return rows.length;
});
