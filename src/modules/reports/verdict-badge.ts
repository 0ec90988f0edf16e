import type { DriftVerdict } from './drift-report.js';

/** Verdicts in words: the badge colour only repeats what the text says. */
export const VERDICT_TEXT: Readonly<Record<DriftVerdict, string>> = {
  drift: 'Drift',
  watch: 'Watch',
  ok: 'OK',
  insufficient_data: 'Insufficient data',
};

/**
 * Okabe-Ito hues (vermillion, yellow, bluish green, grey) as borders over light fills, with dark
 * text of the same hue: distinguishable with the common colour-vision deficiencies, and readable
 * (contrast above 7:1) because the word is what carries the meaning.
 */
export const VERDICT_CSS = `
.verdict { display: inline-block; padding: 0 8px; border: 2px solid; border-radius: 10px; font-weight: 600; font-size: 0.85em; white-space: nowrap; }
.verdict-drift { background: #fbe3d6; border-color: #d55e00; color: #7a2e00; }
.verdict-watch { background: #fdf7c8; border-color: #c9b400; color: #4d4200; }
.verdict-ok { background: #d9f2ea; border-color: #009e73; color: #00472f; }
.verdict-insufficient_data { background: #eeeeee; border-color: #8a8a8a; color: #333333; }
`;

export function verdictBadge(verdict: DriftVerdict): string {
  return `<span class="verdict verdict-${verdict}">${VERDICT_TEXT[verdict]}</span>`;
}
