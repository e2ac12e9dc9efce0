/**
 * URL rules of a page-visited trigger, with a "test a URL" box that says whether (and by
 * which rule) a page would start the flow. Controlled: `value` (the rules) in, `onChange` out.
 */
import { useId, useState } from 'preact/hooks';
import { Button } from '../ui/button.tsx';
import {
  MAX_URL_RULES,
  testUrl,
  URL_OP_LABELS,
  URL_OPS,
  type UrlRule,
  urlRuleProblem,
} from './url-rules-model.ts';

export interface UrlRulesProps {
  value: readonly UrlRule[];
  onChange: (next: UrlRule[]) => void;
  label?: string;
}

export function UrlRules({ value, onChange, label = 'Page URL rules' }: UrlRulesProps) {
  const [sample, setSample] = useState('');
  const baseId = useId();
  const set = (index: number, rule: UrlRule) =>
    onChange(value.map((r, i) => (i === index ? rule : r)));
  const result = sample.trim() ? testUrl(value, sample.trim()) : null;
  return (
    <fieldset class="url-rules">
      <legend>{label}</legend>
      <p class="field-hint">
        The flow starts when any rule matches; with no rules it starts on every page.
      </p>
      <ol class="url-rule-list">
        {value.map((rule, i) => {
          const problem = urlRuleProblem(rule);
          const errorId = `${baseId}-e${i}`;
          const name = `URL rule ${i + 1}`;
          return (
            <li key={`${i}`} class="url-rule" aria-label={name}>
              <select
                aria-label={`${name} operator`}
                value={rule.op}
                onChange={(e) => set(i, { ...rule, op: e.currentTarget.value as UrlRule['op'] })}
              >
                {URL_OPS.map((op) => (
                  <option key={op} value={op}>
                    {URL_OP_LABELS[op]}
                  </option>
                ))}
              </select>
              {rule.op !== 'any' && (
                <input
                  aria-label={`${name} value`}
                  placeholder={
                    rule.op === 'matches' ? '^https://shop\\.example/(cart|checkout)' : '/pricing'
                  }
                  value={rule.value}
                  spellcheck={false}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? errorId : undefined}
                  onInput={(e) => set(i, { ...rule, value: e.currentTarget.value })}
                />
              )}
              <Button
                variant="ghost"
                aria-label={`Remove ${name.toLowerCase()}`}
                onClick={() => onChange(value.filter((_, j) => j !== i))}
              >
                Remove
              </Button>
              {problem && (
                <p id={errorId} class="field-error" role="alert">
                  {problem}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      <Button
        variant="ghost"
        disabled={value.length >= MAX_URL_RULES}
        onClick={() => onChange([...value, { op: 'contains', value: '' }])}
      >
        + URL rule
      </Button>
      <div class="url-test">
        <label for={`${baseId}-test`}>Test a URL</label>
        <input
          id={`${baseId}-test`}
          type="url"
          placeholder="https://example.com/pricing?utm_source=ads"
          value={sample}
          spellcheck={false}
          onInput={(e) => setSample(e.currentTarget.value)}
        />
        <output
          for={`${baseId}-test`}
          aria-live="polite"
          class={result ? (result.matches ? 'url-test-yes' : 'url-test-no') : undefined}
        >
          {result?.text ?? ''}
        </output>
      </div>
    </fieldset>
  );
}
