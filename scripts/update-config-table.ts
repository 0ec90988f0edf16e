// Rewrites the configuration table in README.md from the config schema: npm run docs:config
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigTable } from '../src/config/config-table.js';

const path = new URL('../README.md', import.meta.url);
writeFileSync(path, replaceConfigTable(readFileSync(path, 'utf8')));
console.log('README.md config table updated');
