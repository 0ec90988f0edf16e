#!/usr/bin/env node
import { endQuietlyWhenReaderCloses, processIo } from './output.js';
import { runCli } from './program.js';

endQuietlyWhenReaderCloses(process.stdout);
endQuietlyWhenReaderCloses(process.stderr);
const code = await runCli(process.argv.slice(2), { io: processIo, env: process.env });
if (code !== 0) process.exitCode = code;
