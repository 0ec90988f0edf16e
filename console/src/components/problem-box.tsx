import type { ApiProblem } from '../api/problem.js';

/** The API's problem details, as it sent them: title, status, stable code, detail, field errors. */
export function ProblemBox({ problem, context }: { problem: ApiProblem; context?: string }) {
  return (
    <div class="problem" role="alert">
      <p class="problem-title">
        {context ? `${context}: ` : ''}
        {problem.title}
        {problem.status > 0 ? ` (${problem.status})` : ''}
      </p>
      <p>
        <code>{problem.code}</code> {problem.detail}
      </p>
      {problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e, i) => (
            <li key={i}>
              {e.pointer ? <code>{e.pointer}</code> : null} {e.detail}
            </li>
          ))}
        </ul>
      )}
      {problem.requestId && <p class="muted">request id {problem.requestId}</p>}
    </div>
  );
}
