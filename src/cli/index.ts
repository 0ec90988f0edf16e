#!/usr/bin/env node
import { processIo } from './output.js';
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), { io: processIo, env: process.env });
if (code !== 0) process.exitCode = code;
