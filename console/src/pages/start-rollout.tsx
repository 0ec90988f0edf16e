import { useState } from 'preact/hooks';
import type { Api } from '../api/http.js';
import { enc } from '../api/http.js';
import type { Rollout } from '../api/types.js';
import type { ActionRequest } from '../components/confirm.js';
import { PLAN_TEMPLATES, planText, rolloutBody } from '../logic/plan-templates.js';
import { href } from '../logic/routes.js';

/** The form that starts a rollout from a plan template (the plan's JSON can be edited first). */
export function StartRollout(props: {
  api: Api;
  name: string;
  production: string | undefined;
  versions: string[];
  ask: (r: ActionRequest) => void;
}) {
  const candidates = props.versions.filter((v) => v !== props.production);
  const [candidate, setCandidate] = useState(candidates[0] ?? '');
  const [templateId, setTemplateId] = useState(PLAN_TEMPLATES[0]!.id);
  const template = PLAN_TEMPLATES.find((t) => t.id === templateId) ?? PLAN_TEMPLATES[0]!;
  const [plan, setPlan] = useState(planText(template));
  const [invalid, setInvalid] = useState<string | null>(null);

  const submit = (e: Event) => {
    e.preventDefault();
    let body: ReturnType<typeof rolloutBody>;
    try {
      body = rolloutBody(candidate, template, plan);
    } catch (err) {
      setInvalid(err instanceof Error ? err.message : String(err));
      return;
    }
    setInvalid(null);
    props.ask({
      title: `Start a rollout of ${props.name} ${candidate}`,
      what: (
        <p>
          Traffic of <strong>{props.name}</strong> moves step by step from{' '}
          <strong>{props.production ?? 'none'}</strong> to <strong>{candidate}</strong> with the plan{' '}
          <em>{template.label}</em>
          {body.plan === undefined ? '' : ' (as edited)'}; a failed check rolls it back on its own.
        </p>
      ),
      confirmLabel: 'Start rollout',
      run: async () => {
        const r = await props.api.act<Rollout>('POST', `/v1/models/${enc(props.name)}/rollouts`, body);
        window.location.hash = href.rollout(r.id);
        return r;
      },
      done: (r) => `Rollout ${(r as Rollout).id} started.`,
    });
  };

  if (candidates.length === 0)
    return <p id="start-rollout">Every version is production: nothing to roll out.</p>;
  return (
    <form id="start-rollout" class="panel" aria-label="Start a rollout" onSubmit={submit}>
      <h2>Start a rollout</h2>
      <label for="candidate">Candidate version</label>
      <select id="candidate" value={candidate} onChange={(e) => setCandidate(e.currentTarget.value)}>
        {candidates.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
      <label for="template">Plan template</label>
      <select
        id="template"
        value={templateId}
        onChange={(e) => {
          const t = PLAN_TEMPLATES.find((x) => x.id === e.currentTarget.value) ?? PLAN_TEMPLATES[0]!;
          setTemplateId(t.id);
          setPlan(planText(t));
        }}
      >
        {PLAN_TEMPLATES.map((t) => (
          <option key={t.id} value={t.id}>
            {t.label}
          </option>
        ))}
      </select>
      <label for="plan">Plan (JSON; empty: the strategy's preset on the server)</label>
      <textarea
        id="plan"
        rows={8}
        spellcheck={false}
        value={plan}
        aria-invalid={invalid !== null}
        aria-describedby={invalid ? 'plan-error' : undefined}
        onInput={(e) => setPlan(e.currentTarget.value)}
      />
      {invalid && (
        <p id="plan-error" class="problem" role="alert">
          {invalid}
        </p>
      )}
      <button type="submit" class="primary">
        Start rollout…
      </button>
    </form>
  );
}
