// The load every bench puts on a server: JSON POSTs from autocannon for a while, refused as a
// failed run when any answer is not 2xx or a connection errs.
import autocannon from 'autocannon';

export interface PostLoad {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

export async function postLoad(o: PostLoad): Promise<autocannon.Result> {
  const r = await autocannon({
    url: o.url,
    method: 'POST',
    connections: o.connections,
    duration: o.seconds,
    headers: { 'content-type': 'application/json', ...o.headers },
    body: o.body,
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${o.url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r;
}
