// The bare server (bench/bare-server.ts) inside Fastify: the same inference in one route, with
// Fastify's default JSON body parser and nothing else (no hooks, schemas, logger or plugins). It
// prices Fastify itself, apart from what modelgate runs in Fastify's hooks: `AB_FLOOR=1 npx tsx
// bench/ab.ts …` adds it to a rotation. Three rotations: 0.96, 1.04 and 0.92 of the bare server's
// req/s, 1–5 µs more CPU per request (docs/benchmarks.md, "re-measure").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { parse } from 'yaml';

const dir = process.argv[2]!;
const port = Number(process.argv[3] ?? 0);
const manifest = parse(readFileSync(join(dir, 'manifest.yaml'), 'utf8')) as {
  artifact: string;
  features: Array<{ name: string }>;
  outputs: { labels: string[] };
};
const names = manifest.features.map((f) => f.name);
const labels = manifest.outputs.labels;
const session = await InferenceSession.create(readFileSync(join(dir, manifest.artifact)), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});

const app = Fastify({ logger: false });
app.post('/predict', async (req, reply) => {
  const { instances } = req.body as { instances: Array<Record<string, number>> };
  const data = new Float32Array(instances.length * names.length);
  instances.forEach((row, r) => names.forEach((n, c) => (data[r * names.length + c] = row[n]!)));
  const out = await session.run({ input: new Tensor('float32', data, [instances.length, names.length]) });
  const probs = out.probabilities!.data as Float32Array;
  const predictions = instances.map((_, r) => {
    const p: Record<string, number> = {};
    labels.forEach((l, j) => (p[l] = probs[r * labels.length + j]!));
    return { label: labels[probs[r * 2]! >= 0.5 ? 0 : 1], probabilities: p };
  });
  return reply.type('application/json').send(JSON.stringify({ predictions }));
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.listen({ port, host: '127.0.0.1' });
console.error(`listening ${(app.server.address() as { port: number }).port}`);
