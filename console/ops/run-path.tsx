/**
 * A run's path on the canvas of the version it ran on (read-only, the failed step marked), and
 * its replay against the current draft: the recorded inputs go through simulate and the page
 * shows where the draft's path parts from the run's, on the draft's canvas and as a list.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SimulateResult } from '../../shared/engine/simulate-schema.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import type { components } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText } from '../api/errors.ts';
import { Canvas } from '../editor/canvas.tsx';
import { loadDraft, loadVersion, simulate } from '../editor/flow-api.ts';
import { withPositions } from '../editor/model/layout.ts';
import { pathMarks, replayMarks, takenEdges } from '../editor/model/path-marks.ts';
import { Button } from '../ui/button.tsx';
import { Alert } from '../ui/toast.tsx';
import {
  comparePaths,
  type PathDiff,
  type ReplayInputs,
  recordedPath,
  replayInputs,
} from './replay.ts';
import type { MessageView } from './transcript.tsx';

type Detail = components['schemas']['EnrollmentDetail'];

interface Replay {
  draft: Flow;
  inputs: ReplayInputs;
  result: SimulateResult;
  diff: PathDiff;
}

const noop = () => {};

function PathCanvas(props: {
  flow: Flow;
  marks: Map<string, import('../editor/canvas-types.ts').Mark>;
  taken: Set<string>;
  label: string;
}) {
  return (
    <section class="run-canvas" aria-label={props.label}>
      <Canvas
        flow={props.flow}
        selection={[]}
        problems={new Map()}
        marks={props.marks}
        taken={props.taken}
        readOnly
        onSelect={noop}
        onMove={noop}
        onConnect={noop}
        onDelete={noop}
        onPlus={noop}
      />
    </section>
  );
}

export function RunPath({
  run,
  messages,
  pageUrl,
}: {
  run: Detail;
  messages: readonly MessageView[];
  pageUrl: string | null;
}) {
  const api = useApi();
  const [flow, setFlow] = useState<Flow | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [replay, setReplay] = useState<Replay | null>(null);
  const [replayFailure, setReplayFailure] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<'run' | 'replay'>('run');

  useEffect(() => {
    let live = true;
    void loadVersion(api, run.flowId, run.version).then((r) => {
      if (!live) return;
      if (r.ok) setFlow(withPositions(r.data));
      else setFailure(r.failure);
    });
    return () => {
      live = false;
    };
  }, [api, run.flowId, run.version]);

  const recorded = useMemo(() => recordedPath(run.steps), [run.steps]);
  const failed = [...run.steps].reverse().find((s) => s.status === 'failed')?.nodeId ?? null;

  const runReplay = async () => {
    setBusy(true);
    setReplayFailure('');
    const draft = await loadDraft(api, run.flowId);
    if (!draft.ok) {
      setBusy(false);
      return setReplayFailure(failureText(draft.failure));
    }
    const inputs = replayInputs(run, messages, pageUrl);
    const result = await simulate(api, run.flowId, inputs.request);
    setBusy(false);
    if (!result.ok) return setReplayFailure(failureText(result.failure));
    setReplay({
      draft: withPositions(draft.data.flow),
      inputs,
      result: result.data,
      diff: comparePaths(recorded, result.data.path),
    });
    setShown('replay');
  };

  if (failure)
    return (
      <Alert>
        Could not load version {run.version}: {failureText(failure)}
      </Alert>
    );
  const showReplay = shown === 'replay' && replay;
  return (
    <section class="run-path" aria-labelledby="run-path-title">
      <header class="page-header">
        <h2 id="run-path-title">
          {showReplay ? 'Replay against the draft' : `Path on version ${run.version}`}
        </h2>
        <div class="page-actions">
          {replay && (
            <Button onClick={() => setShown(shown === 'run' ? 'replay' : 'run')}>
              {shown === 'run' ? 'Show the replay' : 'Show the recorded path'}
            </Button>
          )}
          <Button variant="primary" onClick={() => void runReplay()} disabled={busy}>
            Replay against the draft
          </Button>
        </div>
      </header>
      <p>
        {showReplay
          ? "The draft's path, lit; the step where it parts from the run, steps only the draft visits and recorded steps it no longer visits are marked."
          : `The steps this run visited on version ${run.version}, lit${failed ? `; it failed on ${failed}` : ''}.`}
      </p>
      {replayFailure && <Alert>Could not replay the run: {replayFailure}</Alert>}
      {showReplay ? (
        // A fresh canvas (key) so it fits the draft's steps in view, as it did the version's.
        <PathCanvas
          key="replay"
          flow={replay.draft}
          marks={replayMarks(replay.result.path, replay.diff)}
          taken={takenEdges(replay.draft, replay.result.path)}
          label="Draft canvas with the replayed path"
        />
      ) : flow ? (
        <PathCanvas
          key="run"
          flow={flow}
          marks={pathMarks(recorded, { failed })}
          taken={takenEdges(flow, recorded)}
          label={`Canvas of version ${run.version} with the run's path`}
        />
      ) : (
        <p role="status">Loading version {run.version}…</p>
      )}
      {replay && <ReplaySummary replay={replay} recorded={recorded} />}
    </section>
  );
}

function ReplaySummary({ replay, recorded }: { replay: Replay; recorded: readonly string[] }) {
  const { inputs, result, diff } = replay;
  return (
    <section aria-labelledby="replay-title" class="replay-summary">
      <h3 id="replay-title">Replay result</h3>
      <p role="status">
        Replayed {inputs.replayed} of {inputs.total} inputs; the draft run ended {result.status}.
      </p>
      {inputs.missing.length > 0 && (
        <>
          <p>Not recorded, so not replayed:</p>
          <ul aria-label="Not replayed">
            {inputs.missing.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </>
      )}
      {diff.firstDivergence === null ? (
        <p>The draft takes the same path as the recorded run.</p>
      ) : (
        <p>
          First divergent step: step {diff.firstDivergence + 1} — the run went to{' '}
          <strong>{diff.recordedAt ?? '(ended)'}</strong>, the draft goes to{' '}
          <strong>{diff.replayedAt ?? '(ended)'}</strong>.
        </p>
      )}
      <dl class="facts">
        <dt>Recorded path</dt>
        <dd>{recorded.join(' → ') || '—'}</dd>
        <dt>Draft path</dt>
        <dd>{result.path.join(' → ') || '—'}</dd>
      </dl>
      <ul aria-label="Only in the recorded run">
        {diff.onlyRecorded.map((id) => (
          <li key={id}>Only in the recorded run: {id}</li>
        ))}
      </ul>
      <ul aria-label="Only in the draft's path">
        {diff.onlyReplayed.map((id) => (
          <li key={id}>Only in the draft's path: {id}</li>
        ))}
      </ul>
    </section>
  );
}
