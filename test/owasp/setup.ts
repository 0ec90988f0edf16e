import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cleanup } from '../helpers/server.js';
import { DEMO, startTestServer, type TestServer } from '../helpers/server.js';

export const EXAMPLE = JSON.parse(readFileSync(join(DEMO, 'example-request.json'), 'utf8')) as {
  instances: Array<Record<string, unknown>>;
};
export const EXAMPLE_BODY = JSON.stringify(EXAMPLE);

export interface SecuredServer extends TestServer {
  predictKey: string;
  readKey: string;
}

/** A server with the demo model (1.0.0 production, 1.1.0 registered) and a predict and a read key. */
export async function demoServer(t: Cleanup, env: Record<string, string> = {}): Promise<SecuredServer> {
  const s = await startTestServer(t, { env });
  await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
  await s.admin.registerVersion(join(DEMO, '1.1.0/manifest.yaml'));
  await s.admin.promote('breast-cancer', '1.0.0');
  const predictKey = (await s.admin.createKey('app', ['predict'])).key;
  const readKey = (await s.admin.createKey('dashboard', ['read'])).key;
  return { ...s, predictKey, readKey };
}

export const json = { 'content-type': 'application/json' };
