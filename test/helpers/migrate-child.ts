// Child process for the migration race test: migrates the SQLite database under argv[2] and
// prints how many migrations it applied.
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';

const db = openDatabase({ home: process.argv[2]! });
const applied = await migrate(db);
console.log(applied.length);
await db.close();
