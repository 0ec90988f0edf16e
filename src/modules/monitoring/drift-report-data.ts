import type { ColumnDrift, DriftAssessment, DriftOptions } from './drift-assessment.js';
import type { LiveSnapshot } from './live-window.js';
import type { LiveSummary } from './pane-tally.js';
import type { FeatureProfile, Profile } from './reference-profile.js';

/** One feature (or the prediction) in a drift report: scores, verdict and both distributions. */
export interface DriftColumnReport extends ColumnDrift {
  reference: { mean: number | null; std: number | null; missing_share: number };
  live: { mean: number | null; std: number | null; missing_share: number };
  /** shares over the reference bins: numeric "(-∞, a]", "(a, b]", …, "(z, ∞)"; categories, then "other" */
  bins: Array<{ label: string; reference: number; live: number }>;
}

/** What `GET /v1/models/{name}/drift` answers and `modelgate report drift` draws. */
export interface DriftReport {
  model: string;
  version: string;
  assessed_at: string;
  /** size: rows (count) or seconds (time); rows: live rows in the window now */
  window: { kind: 'count' | 'time'; size: number; rows: number };
  reference: { rows: number; data_sha256: string };
  options: { min_samples: number; psi_watch: number; psi_act: number; alpha: number };
  summary: { drifted_features: string[]; watch_features: string[]; prediction_drifted: boolean };
  /** features in manifest order, then the prediction */
  columns: DriftColumnReport[];
}

const fmt = (x: number) => String(Number(x.toPrecision(4)));

/** Bin labels and shares of both sides, over the reference's bins or categories. */
function bins(profile: FeatureProfile, live: LiveSummary): DriftColumnReport['bins'] {
  if (profile.kind === 'numeric' && live.kind === 'numeric') {
    const e = profile.edges;
    const total = live.bin_counts.reduce((a, b) => a + b, 0);
    return profile.shares.map((share, i) => ({
      label: `(${i === 0 ? '-∞' : fmt(e[i - 1]!)}, ${i === e.length ? '∞)' : `${fmt(e[i]!)}]`}`,
      reference: share,
      live: total > 0 ? live.bin_counts[i]! / total : 0,
    }));
  }
  if (profile.kind === 'category' && live.kind === 'category') {
    const total = live.count;
    return [
      ...Object.entries(profile.shares).map(([label, share]) => ({
        label,
        reference: share,
        live: total > 0 ? (live.counts[label] ?? 0) / total : 0,
      })),
      { label: 'other', reference: profile.other_share, live: total > 0 ? live.other_count / total : 0 },
    ];
  }
  return [];
}

const moments = (s: FeatureProfile | LiveSummary) => ({
  mean: s.kind === 'numeric' ? s.mean : null,
  std: s.kind === 'numeric' ? s.std : null,
  missing_share: s.missing_share,
});

/** Puts an assessment together with the distributions it compared. */
export function driftReportOf(input: {
  model: string;
  version: string;
  at: Date;
  window: DriftReport['window'];
  reference: { rows: number; dataSha256: string; profile: Profile };
  live: LiveSnapshot;
  assessment: DriftAssessment;
  options: DriftOptions;
}): DriftReport {
  const { profile } = input.reference;
  const column = (
    c: DriftAssessment['prediction'],
    p: FeatureProfile,
    l: LiveSummary,
  ): DriftColumnReport => ({
    ...c,
    reference: moments(p),
    live: moments(l),
    bins: bins(p, l),
  });
  return {
    model: input.model,
    version: input.version,
    assessed_at: input.at.toISOString(),
    window: input.window,
    reference: { rows: input.reference.rows, data_sha256: input.reference.dataSha256 },
    options: {
      min_samples: input.options.minSamples,
      psi_watch: input.options.psiWatch,
      psi_act: input.options.psiAct,
      alpha: input.options.alpha,
    },
    summary: input.assessment.summary,
    columns: [
      ...input.assessment.features.map((c) =>
        column(c, profile.features[c.feature]!, input.live.features[c.feature]!),
      ),
      column(input.assessment.prediction, profile.prediction, input.live.prediction),
    ],
  };
}
