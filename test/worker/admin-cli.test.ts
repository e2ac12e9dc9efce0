/**
 * The flow-as-code CLI (`edgepilot flows pull|push|validate|publish`, cli/main.mjs) run
 * against the real Worker: its requests go through the Worker's fetch handler (D1, KV) and its
 * files to a real directory (workerd's node:fs), exactly as the `bin` does over HTTP.
 */

import { exports } from 'cloudflare:workers';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.mjs';
import { BASE, sampleFlow, type Workspace, workspace } from './admin-fixtures.ts';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function cli(ws: Workspace, args: string[], key = ws.key): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['flows', ...args], {
    env: { EDGEPILOT_URL: BASE, EDGEPILOT_API_KEY: key },
    fetch: (input, init) => exports.default.fetch(new Request(input, init)),
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
  });
  return { code, out, err };
}

async function setup() {
  const ws = await workspace();
  const pilot = await ws.json<{ id: string }>('/pilots', {
    method: 'POST',
    body: { name: 'CLI pilot' },
  });
  const dir = await mkdtemp('/tmp/edgepilot-cli-');
  return { ws, pilotId: pilot.body.id, dir };
}

const readJson = async (dir: string, file: string) =>
  JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, unknown>;

async function createFlow(ws: Workspace, body: unknown) {
  const res = await ws.json<{ id: string; revision: number }>('/flows', { method: 'POST', body });
  expect(res.status).toBe(201);
  return res.body;
}

/** A flow whose first node points to a node that does not exist. */
function brokenFlow(pilotId: string) {
  const flow = sampleFlow(pilotId);
  return { ...flow, nodes: [{ ...flow.nodes[0], next: 'nowhere' }, flow.nodes[1]] };
}

describe('edgepilot flows (CLI)', () => {
  it('pulls every draft into one file per flow, and a second pull or a push of them changes nothing', async () => {
    const { ws, pilotId, dir } = await setup();
    const a = await createFlow(ws, sampleFlow(pilotId, 'Hi A'));
    const b = await createFlow(ws, { ...sampleFlow(pilotId, 'Hi B'), name: 'Pricing & plans!' });

    const first = await cli(ws, ['pull', '--dir', dir]);
    expect(first.code).toBe(0);
    const files = (await readdir(dir)).filter((f) => !f.startsWith('.')).sort();
    expect(files).toEqual(['pricing-plans.json', 'test-flow.json']);
    const remoteA = await ws.json<{ draft: Record<string, unknown> }>(`/flows/${a.id}`);
    expect(await readJson(dir, 'test-flow.json')).toEqual({ id: a.id, ...remoteA.body.draft });
    expect((await readJson(dir, 'pricing-plans.json')).id).toBe(b.id);

    const before = await readFile(join(dir, 'test-flow.json'), 'utf8');
    const second = await cli(ws, ['pull', '--dir', dir]);
    expect(second.out.filter((l) => l.startsWith('unchanged'))).toHaveLength(2);
    expect(await readFile(join(dir, 'test-flow.json'), 'utf8')).toBe(before);

    const pushed = await cli(ws, ['push', '--dir', dir]);
    expect(pushed.code).toBe(0);
    expect(pushed.out.filter((l) => l.startsWith('unchanged'))).toHaveLength(2);
    // Nothing was written: the drafts keep their revision.
    expect((await ws.json<{ revision: number }>(`/flows/${a.id}`)).body.revision).toBe(a.revision);
  });

  it('pulls only the flows of one pilot with --pilot', async () => {
    const { ws, pilotId, dir } = await setup();
    const other = await ws.json<{ id: string }>('/pilots', {
      method: 'POST',
      body: { name: 'Other pilot' },
    });
    const mine = await createFlow(ws, sampleFlow(pilotId));
    await createFlow(ws, { ...sampleFlow(other.body.id), name: 'Elsewhere' });
    const run = await cli(ws, ['pull', '--dir', dir, '--pilot', pilotId]);
    expect(run.code).toBe(0);
    expect((await readdir(dir)).filter((f) => !f.startsWith('.'))).toEqual(['test-flow.json']);
    expect((await readJson(dir, 'test-flow.json')).id).toBe(mine.id);
  });

  it('push creates a flow for a file without id, binds the file to it, and updates only edited drafts', async () => {
    const { ws, pilotId, dir } = await setup();
    const existing = await createFlow(ws, sampleFlow(pilotId, 'Old text'));
    await cli(ws, ['pull', '--dir', dir]);
    await writeFile(join(dir, 'welcome.json'), JSON.stringify(sampleFlow(pilotId, 'Welcome!')));
    const file = await readJson(dir, 'test-flow.json');
    const nodes = file.nodes as { text?: string }[];
    nodes[0]!.text = 'New text';
    await writeFile(join(dir, 'test-flow.json'), JSON.stringify(file));

    const run = await cli(ws, ['push', '--dir', dir]);
    expect(run.code).toBe(0);
    const created = await readJson(dir, 'welcome.json');
    expect(created.id).toMatch(/^flow_/);
    const remoteNew = await ws.json<{ draft: { nodes: { text?: string }[] } }>(
      `/flows/${created.id}`,
    );
    expect(remoteNew.status).toBe(200);
    expect(remoteNew.body.draft.nodes[0]!.text).toBe('Welcome!');
    const remoteOld = await ws.json<{ revision: number; draft: { nodes: { text?: string }[] } }>(
      `/flows/${existing.id}`,
    );
    expect(remoteOld.body.draft.nodes[0]!.text).toBe('New text');
    expect(remoteOld.body.revision).toBe(existing.revision + 1);

    // Pushing again creates nothing new: the file is bound to its flow now.
    await cli(ws, ['push', '--dir', dir]);
    const list = await ws.json<{ items: unknown[] }>(`/flows?pilotId=${pilotId}`);
    expect(list.body.items).toHaveLength(2);
  });

  it('push refuses to overwrite a draft edited on the server since the last pull, unless --force', async () => {
    const { ws, pilotId, dir } = await setup();
    const flow = await createFlow(ws, sampleFlow(pilotId, 'Original'));
    await cli(ws, ['pull', '--dir', dir]);
    // Someone edits the draft in the admin UI...
    await ws.json(`/flows/${flow.id}`, { method: 'PUT', body: sampleFlow(pilotId, 'From the UI') });
    // ...while the file is edited in git.
    const file = await readJson(dir, 'test-flow.json');
    (file.nodes as { text?: string }[])[0]!.text = 'From git';
    await writeFile(join(dir, 'test-flow.json'), JSON.stringify(file));

    const refused = await cli(ws, ['push', '--dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.out.join('\n')).toMatch(/conflict test-flow\.json: .*changed on the server/);
    const kept = await ws.json<{ draft: { nodes: { text?: string }[] } }>(`/flows/${flow.id}`);
    expect(kept.body.draft.nodes[0]!.text).toBe('From the UI');

    const forced = await cli(ws, ['push', '--dir', dir, '--force']);
    expect(forced.code).toBe(0);
    const after = await ws.json<{ draft: { nodes: { text?: string }[] } }>(`/flows/${flow.id}`);
    expect(after.body.draft.nodes[0]!.text).toBe('From git');
  });

  it('validate names each invalid field of each file and exits 1, with only a read key', async () => {
    const { ws, pilotId, dir } = await setup();
    await createFlow(ws, sampleFlow(pilotId));
    await cli(ws, ['pull', '--dir', dir]);
    const good = await cli(ws, ['validate', '--dir', dir], ws.readKey);
    expect(good.code).toBe(0);
    expect(good.out).toContain('ok test-flow.json');

    const broken = brokenFlow(pilotId);
    await writeFile(join(dir, 'new-flow.json'), JSON.stringify(broken));
    await writeFile(join(dir, 'half.json'), '{ "name": ');
    const bad = await cli(ws, ['validate', '--dir', dir], ws.readKey);
    expect(bad.code).toBe(1);
    const text = bad.out.join('\n');
    expect(text).toMatch(/error new-flow\.json: nodes\.0\.next: .*nowhere/);
    expect(text).toMatch(/error half\.json: not JSON/);
    expect(text).toContain('ok test-flow.json');
    // Validating wrote nothing: the new file is still unbound.
    expect((await readJson(dir, 'new-flow.json')).id).toBeUndefined();
  });

  it('publish pushes, publishes changed drafts as versions with the note, and skips live ones', async () => {
    const { ws, pilotId, dir } = await setup();
    await writeFile(join(dir, 'welcome.json'), JSON.stringify(sampleFlow(pilotId, 'Hello')));
    const first = await cli(ws, ['publish', '--dir', dir, '--note', 'from CI']);
    expect(first.code).toBe(0);
    const { id } = await readJson(dir, 'welcome.json');
    const versions = await ws.json<{ items: { version: number; note: string }[] }>(
      `/flows/${id}/versions`,
    );
    expect(versions.body.items).toEqual([expect.objectContaining({ version: 1, note: 'from CI' })]);

    const again = await cli(ws, ['publish', '--dir', dir]);
    expect(again.out).toContain('live welcome.json (version 1, unchanged)');
    const still = await ws.json<{ items: unknown[] }>(`/flows/${id}/versions`);
    expect(still.body.items).toHaveLength(1);
  });

  it('publish refuses a flow with errors and says why', async () => {
    const { ws, pilotId, dir } = await setup();
    const broken = brokenFlow(pilotId);
    await createFlow(ws, broken);
    await cli(ws, ['pull', '--dir', dir]);
    const run = await cli(ws, ['publish', '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.out.join('\n')).toMatch(/error test-flow\.json: 409 conflict: .*nodes\.0\.next/);
  });

  it('explains usage, a missing key and a rejected key, exiting 2', async () => {
    const { ws, dir } = await setup();
    expect((await cli(ws, ['teleport'])).code).toBe(2);
    const noKey = await main(['flows', 'pull', '--dir', dir], { env: {}, stderr: () => {} });
    expect(noKey).toBe(2);
    const rejected = await cli(ws, ['pull', '--dir', dir], 'ep_wrong_key');
    expect(rejected.code).toBe(2);
    expect(rejected.err.join('\n')).toContain('401 unauthorized');
    await writeFile(join(dir, 'welcome.json'), JSON.stringify(sampleFlow('pilot_x')));
    const readOnly = await cli(ws, ['push', '--dir', dir], ws.readKey);
    expect(readOnly.code).toBe(2);
    expect(readOnly.err.join('\n')).toContain('403 forbidden');
  });
});
