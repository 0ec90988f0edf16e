// The baseline for `npm run bench`: node:http + onnxruntime-node doing the same inference as
// modelgate's predict route (JSON records → float32 [N, F] tensor → label and probabilities),
// with nothing else: no auth, validation, logging, ids or routing. A request holds any number of
// rows (bench/predict-overhead.ts sends 1, bench/large-requests.ts 1,000), all in one ORT run.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
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

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { instances } = JSON.parse(Buffer.concat(chunks).toString()) as {
      instances: Array<Record<string, number>>;
    };
    const data = new Float32Array(instances.length * names.length);
    instances.forEach((row, r) => names.forEach((n, c) => (data[r * names.length + c] = row[n]!)));
    session.run({ input: new Tensor('float32', data, [instances.length, names.length]) }).then(
      (out) => {
        const probs = out.probabilities!.data as Float32Array;
        const predictions = instances.map((_, r) => {
          const p: Record<string, number> = {};
          labels.forEach((l, j) => (p[l] = probs[r * labels.length + j]!));
          return { label: labels[probs[r * 2]! >= 0.5 ? 0 : 1], probabilities: p };
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ predictions }));
      },
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
