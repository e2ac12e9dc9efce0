/**
 * A page with every console form, each holding its value in state and showing it as JSON, so
 * the browser test can drive the forms by keyboard and read what they produce. Bundled by
 * test/e2e/console-forms.test.ts with the console's own esbuild settings; not part of the app.
 */
import { h, render } from 'preact';
import { useState } from 'preact/hooks';
import {
  ConditionBuilder,
  ExecutionSettings,
  FlowManager,
  scopeVariables,
  TemplateInput,
  UrlRules,
} from '../../console/forms/index.ts';
import type { Condition } from '../../shared/expr/condition-schema.ts';
import type { FlowVariable } from '../../shared/flow/schema.ts';
import type { FlowSettings } from '../../shared/flow/settings.ts';
import type { UrlRule } from '../../shared/flow/triggers.ts';

function Shown({ name, value }: { name: string; value: unknown }) {
  return h('pre', { 'aria-label': `${name} value` }, JSON.stringify(value ?? null));
}

function Harness() {
  const [condition, setCondition] = useState<Condition | undefined>(undefined);
  const [urls, setUrls] = useState<UrlRule[]>([]);
  const [text, setText] = useState('');
  const [variables, setVariables] = useState<FlowVariable[]>([{ name: 'plan', type: 'text' }]);
  const [settings, setSettings] = useState<FlowSettings | undefined>(undefined);
  const scope = scopeVariables({
    variables: variables.map((v) => v.name),
    pilotVariables: ['support_email'],
  });
  return h(
    'main',
    { id: 'main' },
    h('h1', null, 'Console forms'),
    h(ConditionBuilder, {
      label: 'Trigger conditions',
      value: condition,
      onChange: setCondition,
      variables: variables.map((v) => v.name),
    }),
    h(Shown, { name: 'Condition', value: condition }),
    h(UrlRules, { value: urls, onChange: setUrls }),
    h(Shown, { name: 'URL rules', value: urls }),
    h(TemplateInput, {
      label: 'Message text',
      value: text,
      onChange: setText,
      variables: scope,
      known: {
        variables: new Set(variables.map((v) => v.name)),
        pilotVariables: new Set(['support_email']),
      },
    }),
    h(Shown, { name: 'Message text', value: text }),
    h(FlowManager, {
      value: variables,
      onChange: setVariables,
      pilotVariables: [{ name: 'support_email', type: 'text', value: 'help@example.com' }],
    }),
    h(Shown, { name: 'Variables', value: variables }),
    h(ExecutionSettings, {
      value: settings,
      onChange: setSettings,
      users: [{ id: 'user_1', name: 'Ada' }],
      teams: [{ id: 'team_1', name: 'Sales' }],
      timezone: 'Europe/Paris',
    }),
    h(Shown, { name: 'Settings', value: settings }),
  );
}

render(h(Harness, null), document.getElementById('app')!);
