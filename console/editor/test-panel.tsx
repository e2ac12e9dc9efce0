/**
 * The test panel: chat with the saved draft as a visitor would, through simulate (nothing real
 * is touched). The scripted events (page URL, messages with an optional detected intent, button
 * choices, custom events) and the context (time, agents, contact fields, stubbed webhook/AI
 * results) make a scenario; the path lights up on the canvas step by step.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import type {
  SimulateEvent,
  SimulateRequest,
  SimulateResult,
} from '../../shared/engine/simulate-schema.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import { useApi } from '../api/context.ts';
import { failureText } from '../api/errors.ts';
import type { Mark } from './canvas-types.ts';
import { simulate } from './flow-api.ts';
import { pathMarks } from './model/path-marks.ts';
import { parseScenarios, type Scenario, scenarioKey, upsertScenario } from './model/scenarios.ts';

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function TestPanel(props: {
  flowId: string;
  flow: Flow;
  beforeRun: () => Promise<boolean>;
  onPath: (marks: Map<string, Mark> | null) => void;
}) {
  const api = useApi();
  const id = useId();
  const [url, setUrl] = useState('https://example.com/pricing');
  const [events, setEvents] = useState<SimulateEvent[]>([]);
  const [text, setText] = useState('');
  const [intent, setIntent] = useState('');
  const [eventName, setEventName] = useState('');
  const [eventProps, setEventProps] = useState('');
  const [now, setNow] = useState('');
  const [agents, setAgents] = useState(true);
  const [contact, setContact] = useState('');
  const [stubs, setStubs] = useState('');
  const [result, setResult] = useState<SimulateResult | null>(null);
  const [step, setStep] = useState(0);
  const [error, setError] = useState('');
  const [name, setName] = useState('');
  const [scenarios, setScenarios] = useState<Scenario[]>(() =>
    parseScenarios(sessionStorage.getItem(scenarioKey(props.flowId))),
  );
  const [runAll, setRunAll] = useState<{ name: string; status: string; path: string }[] | null>(
    null,
  );

  useEffect(() => () => props.onPath(null), []);
  useEffect(() => {
    if (!result) return props.onPath(null);
    props.onPath(pathMarks(result.path, { upTo: step, current: true }));
  }, [result, step]);

  const request = (list: SimulateEvent[]): SimulateRequest | string => {
    const c = parseJson(contact);
    const s = parseJson(stubs);
    if (!c.ok) return 'Contact fields are not valid JSON';
    if (!s.ok) return 'Stubbed results are not valid JSON';
    const isoNow = now ? new Date(now).toISOString() : undefined;
    return {
      events: [{ type: 'page_view', url }, ...list],
      context: {
        agentsAvailable: agents,
        ...(isoNow ? { now: isoNow } : {}),
        ...(c.value !== undefined ? { contact: c.value as Record<string, unknown> } : {}),
        ...(s.value !== undefined ? { effectResults: s.value as never } : {}),
      },
    };
  };

  const run = async (list: SimulateEvent[]) => {
    const req = request(list);
    if (typeof req === 'string') return setError(req);
    if (!(await props.beforeRun()))
      return setError('Save the draft first (the test runs the saved draft)');
    const r = await simulate(api, props.flowId, req);
    if (!r.ok) return setError(failureText(r.failure));
    setError('');
    setEvents(list);
    setResult(r.data);
    setStep(r.data.path.length);
  };

  const send = (event: SimulateEvent) => void run([...events, event]);
  const lastChoices = result?.status === 'waiting' ? result.transcript.at(-1)?.choices : undefined;

  const saveScenario = () => {
    const req = request(events);
    if (typeof req === 'string' || !name.trim())
      return setError(typeof req === 'string' ? req : 'Name the scenario');
    const next = upsertScenario(scenarios, { name: name.trim(), request: req as never });
    sessionStorage.setItem(scenarioKey(props.flowId), JSON.stringify(next));
    setScenarios(next);
  };

  const runAllScenarios = async () => {
    if (!(await props.beforeRun())) return setError('Save the draft first');
    const out: { name: string; status: string; path: string }[] = [];
    for (const s of scenarios) {
      const r = await simulate(api, props.flowId, s.request);
      out.push({
        name: s.name,
        status: r.ok ? r.data.status : `error: ${r.failure.message}`,
        path: r.ok ? r.data.path.join(' → ') : '',
      });
    }
    setRunAll(out);
  };

  return (
    <section class="panel test-panel" aria-labelledby={`${id}-t`}>
      <h2 id={`${id}-t`}>Test the draft</h2>
      <div class="field">
        <label for={`${id}-url`}>Page URL</label>
        <input id={`${id}-url`} value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      </div>
      <details>
        <summary>Context: time, agents, contact, stubbed results</summary>
        <div class="field">
          <label for={`${id}-now`}>Time</label>
          <input
            id={`${id}-now`}
            type="datetime-local"
            value={now}
            onInput={(e) => setNow(e.currentTarget.value)}
          />
        </div>
        <div class="field field-check">
          <input
            id={`${id}-ag`}
            type="checkbox"
            checked={agents}
            onChange={(e) => setAgents(e.currentTarget.checked)}
          />
          <label for={`${id}-ag`}>Agents available</label>
        </div>
        <div class="field">
          <label for={`${id}-c`}>Contact fields (JSON)</label>
          <textarea
            id={`${id}-c`}
            class="code"
            rows={2}
            value={contact}
            onInput={(e) => setContact(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for={`${id}-s`}>Stubbed results by step id (JSON)</label>
          <textarea
            id={`${id}-s`}
            class="code"
            rows={3}
            placeholder='{"call_api": {"status": 200, "body": {}}, "answer": {"outcome": "no_answer"}}'
            value={stubs}
            onInput={(e) => setStubs(e.currentTarget.value)}
          />
        </div>
      </details>
      <div class="test-actions">
        <button type="button" class="btn btn-primary" onClick={() => void run([])}>
          Start test
        </button>
        <button
          type="button"
          class="btn"
          onClick={() => {
            setEvents([]);
            setResult(null);
          }}
        >
          Reset
        </button>
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <>
          <p role="status">
            Status: {result.status}
            {result.reason ? ` (${result.reason.message})` : ''}
          </p>
          <ol class="transcript" aria-label="Test conversation">
            {result.transcript.map((m, i) => (
              <li key={i} class={`msg msg-${m.author}`}>
                <span class="visually-hidden">
                  {m.author === 'pilot' ? 'Pilot: ' : 'Visitor: '}
                </span>
                {m.text}
              </li>
            ))}
          </ol>
          {lastChoices && lastChoices.length > 0 && (
            <fieldset class="choices">
              <legend class="visually-hidden">Answer with a button</legend>
              {lastChoices.map((c) => (
                <button
                  key={c}
                  type="button"
                  class="btn"
                  onClick={() => send({ type: 'choice', value: c })}
                >
                  {c}
                </button>
              ))}
            </fieldset>
          )}
          <form
            class="field-row"
            onSubmit={(e) => {
              e.preventDefault();
              if (!text.trim()) return;
              send({
                type: 'message',
                text,
                ...(intent.trim() ? { intent: { name: intent.trim(), confidence: 0.9 } } : {}),
              });
              setText('');
            }}
          >
            <label for={`${id}-m`} class="visually-hidden">
              Message as the visitor
            </label>
            <input
              id={`${id}-m`}
              placeholder="Message as the visitor"
              value={text}
              onInput={(e) => setText(e.currentTarget.value)}
            />
            <label for={`${id}-i`} class="visually-hidden">
              Detected intent
            </label>
            <input
              id={`${id}-i`}
              placeholder="intent (optional)"
              value={intent}
              onInput={(e) => setIntent(e.currentTarget.value)}
            />
            <button type="submit" class="btn">
              Send
            </button>
          </form>
          <div class="field-row">
            <label for={`${id}-e`} class="visually-hidden">
              Event name
            </label>
            <input
              id={`${id}-e`}
              placeholder="event name"
              value={eventName}
              onInput={(e) => setEventName(e.currentTarget.value)}
            />
            <label for={`${id}-p`} class="visually-hidden">
              Event props (JSON)
            </label>
            <input
              id={`${id}-p`}
              placeholder='{"plan": "pro"}'
              value={eventProps}
              onInput={(e) => setEventProps(e.currentTarget.value)}
            />
            <button
              type="button"
              class="btn"
              onClick={() => {
                const p = parseJson(eventProps);
                if (!eventName.trim() || !p.ok)
                  return setError('An event needs a name and JSON props');
                send({
                  type: 'event',
                  name: eventName.trim(),
                  ...(p.value ? { props: p.value as Record<string, unknown> } : {}),
                });
              }}
            >
              Send event
            </button>
          </div>
          <div class="field">
            <label for={`${id}-step`}>
              Step {step} of {result.path.length}: {result.path[step - 1] ?? '—'}
            </label>
            <input
              id={`${id}-step`}
              type="range"
              min={0}
              max={result.path.length}
              value={step}
              onInput={(e) => setStep(Number(e.currentTarget.value))}
            />
          </div>
          <h3>Steps (with the variables after each turn)</h3>
          <ol class="test-log">
            {result.log.map((entry, i) => (
              <li key={i}>
                {String(entry.nodeId)} · {String(entry.status)}
                {entry.port ? ` → ${String(entry.port)}` : ''}
                {entry.error ? ` (${String(entry.error)})` : ''}
                {entry.variables !== undefined && (
                  <div class="code">
                    variables after {String(entry.nodeId)}: {JSON.stringify(entry.variables)}
                  </div>
                )}
              </li>
            ))}
          </ol>
          <h3>Variables at the end</h3>
          <pre class="code">{JSON.stringify(result.variables, null, 2)}</pre>
        </>
      )}
      <h3>Scenarios (kept in this browser tab)</h3>
      <div class="field-row">
        <label for={`${id}-n`} class="visually-hidden">
          Scenario name
        </label>
        <input
          id={`${id}-n`}
          placeholder="Scenario name"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="button" class="btn" onClick={saveScenario}>
          Save scenario
        </button>
        <button
          type="button"
          class="btn"
          disabled={scenarios.length === 0}
          onClick={() => void runAllScenarios()}
        >
          Run all scenarios
        </button>
      </div>
      <ul>
        {scenarios.map((s) => (
          <li key={s.name}>
            {s.name}{' '}
            <button
              type="button"
              class="btn btn-ghost"
              aria-label={`Run scenario ${s.name}`}
              onClick={() => {
                const [first, ...rest] = s.request.events;
                if (first?.type === 'page_view') setUrl(first.url);
                void run(first?.type === 'page_view' ? rest : s.request.events);
              }}
            >
              Run
            </button>
          </li>
        ))}
      </ul>
      {runAll && (
        <ul aria-label="Scenario results">
          {runAll.map((r) => (
            <li key={r.name}>
              {r.name}: {r.status} {r.path && `(${r.path})`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
