/** The validator's errors and warnings; choosing one selects the step and focuses its field. */

import { TRIGGER_ID } from './model/commands.ts';
import type { Problem } from './model/problems.ts';

export function ProblemsPanel({
  problems,
  onPick,
}: {
  problems: readonly Problem[];
  onPick: (p: Problem) => void;
}) {
  const errors = problems.filter((p) => p.level === 'error').length;
  const warnings = problems.length - errors;
  return (
    <section class="panel" aria-labelledby="problems-title">
      <h2 id="problems-title">
        Problems{' '}
        <span class="count">
          {errors} errors, {warnings} warnings
        </span>
      </h2>
      {problems.length === 0 ? (
        <p>No problems found.</p>
      ) : (
        <ul class="problems">
          {problems.map((p, i) => (
            <li key={i}>
              <button type="button" class={`problem problem-${p.level}`} onClick={() => onPick(p)}>
                <span class="problem-level">{p.level}</span>{' '}
                <span class="problem-where">
                  {p.target === TRIGGER_ID ? 'trigger' : (p.target ?? 'flow')}
                  {p.field ? ` · ${p.field}` : ''}
                </span>
                : {p.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
