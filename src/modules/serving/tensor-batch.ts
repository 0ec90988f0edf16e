// Open Inference Protocol requests batched like native ones: several requests' feeds are joined
// along the first (batch) axis into one run, and each output is cut back per request. Requests
// whose feeds do not line up (other inputs, element types, inner dimensions or fetches) run in
// groups of their own; an output whose first axis is not the batch makes the batch fail, and the
// batcher then runs each request alone.
import { Tensor, type OnnxValue } from 'onnxruntime-node';

export interface TensorRequest {
  feeds: Record<string, OnnxValue>;
  fetches: string[];
  /** the batch size of this request's feeds (first axis) */
  rows: number;
}

type Data = Tensor['data'];

/** Requests whose feeds can share a run have the same key. */
export function batchKey(r: TensorRequest): string {
  const feeds = Object.entries(r.feeds)
    .map(([name, v]) => {
      const t = v;
      return `${name}:${t.type}:${t.dims.slice(1).join('x')}`;
    })
    .sort();
  return `${feeds.join(',')}|${[...r.fetches].sort().join(',')}`;
}

function concat(parts: Data[], total: number): Data {
  const first = parts[0]!;
  if (Array.isArray(first)) return (parts as string[][]).flat();
  const Ctor = first.constructor as new (n: number) => Exclude<Data, string[]>;
  const out = new Ctor(total);
  let offset = 0;
  for (const p of parts as Array<Exclude<Data, string[]>>) {
    (out as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The feeds of several compatible requests as one set of feeds. */
export function joinFeeds(requests: TensorRequest[]): Record<string, OnnxValue> {
  const rows = requests.reduce((n, r) => n + r.rows, 0);
  const joined: Record<string, OnnxValue> = {};
  for (const name of Object.keys(requests[0]!.feeds)) {
    const tensors = requests.map((r) => r.feeds[name] as Tensor);
    const first = tensors[0]!;
    const data = concat(
      tensors.map((t) => t.data),
      tensors.reduce((n, t) => n + t.data.length, 0),
    );
    joined[name] = new Tensor(first.type, data, [rows, ...first.dims.slice(1)]);
  }
  return joined;
}

/** One run's outputs cut back per request along the first axis. */
export function splitOutputs(
  outputs: Record<string, OnnxValue>,
  requests: TensorRequest[],
): Array<Record<string, OnnxValue>> {
  const total = requests.reduce((n, r) => n + r.rows, 0);
  const per: Array<Record<string, OnnxValue>> = requests.map(() => ({}));
  for (const [name, value] of Object.entries(outputs)) {
    const t = value;
    if (!(t instanceof Tensor) || t.dims[0] !== total) {
      throw new Error(`output '${name}' is not batched along its first axis`);
    }
    const width = total === 0 ? 0 : t.data.length / total;
    let row = 0;
    requests.forEach((r, i) => {
      const data = t.data.slice(row * width, (row + r.rows) * width) as Data;
      per[i]![name] = new Tensor(t.type, data, [r.rows, ...t.dims.slice(1)]);
      row += r.rows;
    });
  }
  return per;
}
