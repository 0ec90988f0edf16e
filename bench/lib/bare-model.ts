// The inference of the bench's baseline servers (bench/bare-server.ts on node:http,
// bench/fastify-floor-server.ts in one Fastify route), so both run exactly the same code: JSON
// records → float32 [N, F] tensor → one ORT run → label and probabilities, nothing else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { parse } from 'yaml';

export type Instances = Array<Record<string, number>>;

export interface BareModel {
  /** One ORT run over every row of the request. */
  infer(instances: Instances): Promise<InferenceSession.OnnxValueMapType>;
  /** The answer's JSON text: `{"predictions":[{label, probabilities}, …]}`. */
  body(instances: Instances, out: InferenceSession.OnnxValueMapType): string;
}

/** The version in `dir` (its manifest.yaml and artifact), on one intra-op thread. */
export async function loadBareModel(dir: string): Promise<BareModel> {
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
  return {
    infer(instances) {
      const data = new Float32Array(instances.length * names.length);
      instances.forEach((row, r) => names.forEach((n, c) => (data[r * names.length + c] = row[n]!)));
      return session.run({ input: new Tensor('float32', data, [instances.length, names.length]) });
    },
    body(instances, out) {
      const probs = out.probabilities!.data as Float32Array;
      const predictions = instances.map((_, r) => {
        const p: Record<string, number> = {};
        labels.forEach((l, j) => (p[l] = probs[r * labels.length + j]!));
        return { label: labels[probs[r * 2]! >= 0.5 ? 0 : 1], probabilities: p };
      });
      return JSON.stringify({ predictions });
    },
  };
}
