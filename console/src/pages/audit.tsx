import { useState } from 'preact/hooks';
import type { PageProps } from '../app.js';
import type { AuditEvent } from '../api/types.js';
import { Loading, TableWrap } from '../components/bits.js';
import { PageTitle } from '../components/page-title.js';
import { ProblemBox } from '../components/problem-box.js';
import { usePoll } from '../components/use-poll.js';
import { auditQuery, EMPTY_FILTER, type AuditFilter } from '../logic/audit-query.js';
import { time } from '../logic/format.js';

/** The audit log (admin): filters, pages newest first. */
export function AuditPage({ api }: PageProps) {
  const [form, setForm] = useState<AuditFilter>(EMPTY_FILTER);
  const [filter, setFilter] = useState<AuditFilter>(EMPTY_FILTER);
  /** the cursors of the pages before this one; the last is this page's */
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = usePoll(
    () =>
      api.get<{ events: AuditEvent[]; next_cursor: string | null }>(
        `/v1/audit?${auditQuery(filter, cursor)}`,
      ),
    0,
    [filter, cursor],
  );
  const field = (key: keyof AuditFilter) => ({
    id: `audit-${key}`,
    value: String(form[key]),
    onInput: (e: { currentTarget: { value: string } }) =>
      setForm({ ...form, [key]: key === 'limit' ? Number(e.currentTarget.value) : e.currentTarget.value }),
  });

  return (
    <>
      <PageTitle text="Audit log" />
      <form
        class="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(form);
          setCursors([undefined]);
        }}
      >
        <div>
          <label for="audit-model">Model</label>
          <input type="text" {...field('model')} />
        </div>
        <div>
          <label for="audit-principal">Principal</label>
          <input type="text" placeholder="key:…" {...field('principal')} />
        </div>
        <div>
          <label for="audit-since">Since (UTC)</label>
          <input type="datetime-local" {...field('since')} />
        </div>
        <div>
          <label for="audit-until">Until (UTC)</label>
          <input type="datetime-local" {...field('until')} />
        </div>
        <div>
          <label for="audit-limit">Per page</label>
          <select {...field('limit')} onChange={field('limit').onInput}>
            {[5, 10, 25, 50, 100].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="primary">
          Apply filters
        </button>
      </form>
      {page.problem && <ProblemBox problem={page.problem} context="Audit log" />}
      {!page.data ? (
        page.loading && <Loading what="the audit log" />
      ) : (
        <>
          <TableWrap label="Audit events">
            <table>
              <caption>
                Page {cursors.length}: {page.data.events.length} events, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Principal</th>
                  <th scope="col">Action</th>
                  <th scope="col">Model</th>
                  <th scope="col">Version</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {page.data.events.map((e) => (
                  <tr key={e.id} data-action={e.action}>
                    <td>{time(e.at)}</td>
                    <td>
                      <code>{e.principal}</code>
                    </td>
                    <td>{e.action}</td>
                    <td>{e.model ?? '–'}</td>
                    <td>{e.version ?? '–'}</td>
                    <td>
                      {e.before === null && e.after === null ? (
                        '–'
                      ) : (
                        <details>
                          <summary>before / after</summary>
                          <pre>{JSON.stringify({ before: e.before, after: e.after }, null, 2)}</pre>
                        </details>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <nav class="pager" aria-label="Audit log pages">
            <button
              type="button"
              disabled={cursors.length <= 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Newer
            </button>
            <button
              type="button"
              disabled={!page.data.next_cursor}
              onClick={() => setCursors([...cursors, page.data!.next_cursor ?? undefined])}
            >
              Older
            </button>
          </nav>
        </>
      )}
    </>
  );
}
