// The baseline for `npm run bench`: node:http + onnxruntime-node doing the same inference as
// modelgate's predict route (JSON records → float32 [N, F] tensor → label and probabilities),
// with nothing else: no auth, validation, logging, ids or routing. A request holds any number of
// rows (bench/predict-overhead.ts sends 1, bench/large-requests.ts 1,000), all in one ORT run.
import { createServer } from 'node:http';
import { loadBareModel, type Instances } from './lib/bare-model.js';

const model = await loadBareModel(process.argv[2]!);
const port = Number(process.argv[3] ?? 0);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { instances } = JSON.parse(Buffer.concat(chunks).toString()) as { instances: Instances };
    model.infer(instances).then(
      (out) => res.writeHead(200, { 'content-type': 'application/json' }).end(model.body(instances, out)),
      () => res.writeHead(500).end(),
    );
  });
});
// exit normally on SIGTERM, so `node --cpu-prof` writes the baseline's profile too
process.on('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.error(`listening ${typeof address === 'object' && address ? address.port : port}`);
});
