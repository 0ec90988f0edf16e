// The bare server (bench/bare-server.ts) inside Fastify: the same inference (bench/lib/bare-model)
// in one route, with Fastify's default JSON body parser and nothing else (no hooks, schemas,
// logger or plugins). It prices Fastify itself, apart from what modelgate runs in Fastify's hooks:
// `AB_FLOOR=1 npx tsx bench/ab.ts …` adds it to a rotation. Three rotations: 0.96, 1.04 and 0.92
// of the bare server's req/s, 1–5 µs more CPU per request (docs/benchmarks.md, "re-measure").
import Fastify from 'fastify';
import { loadBareModel, type Instances } from './lib/bare-model.js';

const model = await loadBareModel(process.argv[2]!);
const port = Number(process.argv[3] ?? 0);

const app = Fastify({ logger: false });
app.post('/predict', async (req, reply) => {
  const { instances } = req.body as { instances: Instances };
  const out = await model.infer(instances);
  return reply.type('application/json').send(model.body(instances, out));
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.listen({ port, host: '127.0.0.1' });
console.error(`listening ${(app.server.address() as { port: number }).port}`);
