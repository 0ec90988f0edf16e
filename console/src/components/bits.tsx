import type { ComponentChildren } from 'preact';

const TONE: Record<string, string> = {
  pass: 'good',
  ok: 'good',
  promoted: 'good',
  advanced: 'good',
  running: 'info',
  ready: 'good',
  loaded: 'good',
  fail: 'bad',
  drift: 'bad',
  rolled_back: 'bad',
  failed: 'bad',
  revoked: 'bad',
  aborted: 'warn',
  paused: 'warn',
  watch: 'warn',
  inconclusive: 'neutral',
  insufficient_data: 'neutral',
};

/** A state or verdict as a word in a tinted box (the word carries the meaning, not the colour). */
export function Badge({ value, label }: { value: string; label?: string }) {
  return <span class={`badge badge-${TONE[value] ?? 'neutral'}`}>{label ?? value.replaceAll('_', ' ')}</span>;
}

/** A table that scrolls sideways on a narrow window, reachable and scrollable by keyboard. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A SHA-256 shortened on screen, the whole of it in a tooltip and for screen readers. */
export function Hash({ sha }: { sha: string }) {
  return (
    <code class="hash" title={sha}>
      {sha.slice(0, 12)}
      <span class="sr-only">{sha.slice(12)}</span>
    </code>
  );
}
