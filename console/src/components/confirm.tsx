import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { asProblem, type ApiProblem } from '../api/problem.js';
import { ProblemBox } from './problem-box.js';

/** One admin action, asked for by a button and carried out once confirmed. */
export interface ActionRequest {
  /** the dialog's heading, e.g. "Promote breast-cancer 1.1.0" */
  title: string;
  /** what changes, in words: named model, versions, before and after */
  what: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  run: () => Promise<unknown>;
  /** the message once it worked */
  done: string | ((result: unknown) => string);
}

type Outcome = { ok: true; message: string } | { ok: false; title: string; problem: ApiProblem };

/**
 * Confirmation before every change: a modal dialog naming what changes, Cancel focused first,
 * Escape cancels. The outcome (a message, or the API's problem details) stays on the page.
 */
export function useActions(afterwards?: () => unknown) {
  const [pending, setPending] = useState<ActionRequest | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      const result = await pending.run();
      const message = typeof pending.done === 'string' ? pending.done : pending.done(result);
      setOutcome({ ok: true, message });
    } catch (err) {
      setOutcome({ ok: false, title: pending.title, problem: asProblem(err) });
    } finally {
      setBusy(false);
      setPending(null);
      await afterwards?.();
    }
  };

  const view = (
    <>
      <ConfirmDialog request={pending} busy={busy} onCancel={() => setPending(null)} onConfirm={confirm} />
      <div class="outcome" aria-live="polite">
        {outcome?.ok === true && (
          <p class="success" role="status">
            {outcome.message}
          </p>
        )}
        {outcome?.ok === false && <ProblemBox problem={outcome.problem} context={outcome.title} />}
      </div>
    </>
  );
  return {
    ask: (r: ActionRequest) => {
      setOutcome(null);
      setPending(r);
    },
    view,
  };
}

function ConfirmDialog(props: {
  request: ActionRequest | null;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => Promise<void>;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const { request } = props;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (request && !dialog.open) {
      dialog.showModal();
      cancelRef.current?.focus();
    } else if (!request && dialog.open) dialog.close();
  }, [request]);
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-what"
      onCancel={(e) => {
        e.preventDefault();
        if (!props.busy) props.onCancel();
      }}
    >
      {request && (
        <>
          <h2 id="confirm-title">{request.title}?</h2>
          <div id="confirm-what">{request.what}</div>
          <div class="actions">
            <button type="button" ref={cancelRef} disabled={props.busy} onClick={props.onCancel}>
              Cancel
            </button>
            <button
              type="button"
              class={request.danger ? 'danger' : 'primary'}
              disabled={props.busy}
              onClick={() => void props.onConfirm()}
            >
              {props.busy ? 'Working…' : request.confirmLabel}
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
