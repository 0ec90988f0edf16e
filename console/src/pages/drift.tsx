import { useState } from 'preact/hooks';
import type { Api } from '../api/http.js';
import { enc } from '../api/http.js';
import type { DriftReport } from '../api/types.js';
import { Badge, Loading } from '../components/bits.js';
import { BinChart } from '../components/charts.js';
import { ProblemBox } from '../components/problem-box.js';
import { usePoll } from '../components/use-poll.js';
import { num, pValue, time } from '../logic/format.js';
import { visibleColumns, type DriftSort } from '../logic/drift-view.js';

/** Drift of a version's live traffic against its reference: a chart per feature, sortable, filterable. */
export function DriftSection({ api, name, version }: { api: Api; name: string; version: string }) {
  const report = usePoll(
    () => api.get<DriftReport>(`/v1/models/${enc(name)}/drift?version=${enc(version)}`),
    15_000,
    [name, version],
  );
  const [sort, setSort] = useState<DriftSort>('psi');
  const [driftedOnly, setDriftedOnly] = useState(false);

  if (report.problem?.code === 'REFERENCE_NOT_FOUND')
    return <p>This version has no reference profile (register it with reference data to see drift).</p>;
  if (report.problem) return <ProblemBox problem={report.problem} context="Drift" />;
  const r = report.data;
  if (!r) return <Loading what="the drift report" />;
  const columns = visibleColumns(r.columns, { sort, driftedOnly });
  return (
    <>
      <p>
        {r.window.rows} live rows in the window (
        {r.window.kind === 'count' ? `last ${r.window.size} rows` : `last ${r.window.size} s`}) against{' '}
        {r.reference.rows} reference rows; assessed {time(r.assessed_at)}. Drifted:{' '}
        <strong>
          {r.summary.drifted_features.length > 0 ? r.summary.drifted_features.join(', ') : 'none'}
        </strong>
        {r.summary.prediction_drifted ? '; the prediction drifted' : ''}. PSI watch {num(r.options.psi_watch)}
        , act {num(r.options.psi_act)}; at least {r.options.min_samples} live rows.
      </p>
      <div class="toolbar" role="group" aria-label="Drift view">
        <label for="drift-sort">Sort</label>
        <select id="drift-sort" value={sort} onChange={(e) => setSort(e.currentTarget.value as DriftSort)}>
          <option value="psi">by PSI, highest first</option>
          <option value="manifest">in manifest order</option>
        </select>
        <label class="check">
          <input
            type="checkbox"
            checked={driftedOnly}
            onChange={(e) => setDriftedOnly(e.currentTarget.checked)}
          />{' '}
          Drifted only
        </label>
        <span class="muted" role="status">
          {columns.length} of {r.columns.length} shown
        </span>
      </div>
      <ul class="drift-grid" aria-label="Features">
        {columns.map((c) => (
          <li key={c.feature} class="drift-card" data-feature={c.feature}>
            <h3>
              {c.feature} <Badge value={c.verdict} />
            </h3>
            <p class="muted">
              PSI <span data-psi>{num(c.psi)}</span> · {c.test === 'ks' ? 'KS' : 'χ²'} {num(c.statistic)} · p
              (adjusted) {pValue(c.p_adjusted)} · n {c.n_live} live / {c.n_reference} ref
            </p>
            <BinChart label={`${c.feature}: share of rows per bin, reference against live`} bins={c.bins} />
          </li>
        ))}
      </ul>
    </>
  );
}
