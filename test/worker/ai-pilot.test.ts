import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { pilotAiSettingsSchema } from '../../shared/ai/ai-settings.ts';
import { chatModelFor, loadPilotAI, pilotAiKey, rebuildPilotAI } from '../../worker/ai/pilot-ai.ts';
import { POINTER_TTL_MS } from '../../worker/ai/pilot-ai-store.ts';

const source = {
  intents: [
    {
      name: 'order_status',
      trainingPhrases: [
        'where is my order',
        'track my package',
        'has my parcel shipped',
        'when will my order arrive',
        'delivery status of my order',
      ],
    },
    {
      name: 'opening_hours',
      trainingPhrases: [
        'when are you open',
        'what are your opening hours',
        'are you open on sunday',
        'what time do you close',
        'business hours',
      ],
    },
  ],
  entities: [
    {
      kind: 'list' as const,
      name: 'store',
      values: [{ value: 'berlin', synonyms: ['berlin mitte', 'the berlin shop'] }],
    },
  ],
  articles: [
    {
      id: 'a1',
      title: 'Gift wrapping',
      url: 'https://help.example.com/gift-wrapping',
      body: 'Gift wrapping costs 3 euros per item. Choose it at checkout and add a personal note.',
    },
  ],
};

describe('pilot AI stored in KV and loaded by the runtime', () => {
  it('detects intents and entities and answers with a citation after a rebuild, without retraining', async () => {
    const pilotId = `pl_${crypto.randomUUID()}`;
    const stats = await rebuildPilotAI(env, pilotId, source);
    expect(stats).toMatchObject({ intents: 2, phrases: 10, passages: 1 });
    const ai = await loadPilotAI(env, pilotId);
    const detected = await ai.detect('is the berlin shop open on sundays?');
    expect(detected.intent).toBe('opening_hours');
    expect(detected.entities).toContainEqual({
      name: 'store',
      value: 'berlin',
      text: 'the berlin shop',
    });
    expect(await ai.answer('how much is gift wrapping?')).toMatchObject({
      kind: 'answered',
      citations: [{ url: 'https://help.example.com/gift-wrapping' }],
    });
    expect(await ai.answer('talk to a human please')).toEqual({ kind: 'handoverRequested' });
  });

  it('picks up changed intents after the next rebuild', async () => {
    const pilotId = `pl_${crypto.randomUUID()}`;
    await rebuildPilotAI(env, pilotId, source);
    const before = await loadPilotAI(env, pilotId);
    await rebuildPilotAI(env, pilotId, {
      ...source,
      intents: source.intents.slice(1),
      articles: [],
    });
    const after = await loadPilotAI(env, pilotId);
    expect(after.builtAt).toBeGreaterThanOrEqual(before.builtAt);
    expect((await after.detect('track my package')).intent).not.toBe('order_status');
    expect(await after.answer('how much is gift wrapping?')).toEqual({ kind: 'noAnswer' });
    expect(await env.SNAPSHOTS.get(pilotAiKey(pilotId))).not.toBeNull();
  });

  it(`shares one pointer read per ${POINTER_TTL_MS} ms: a rebuild made elsewhere shows after it, one made here at once`, async () => {
    const pilotId = `pl_${crypto.randomUUID()}`;
    await rebuildPilotAI(env, pilotId, source);
    expect((await (await loadPilotAI(env, pilotId)).detect('track my package')).intent).toBe(
      'order_status',
    );
    // Another isolate's rebuild: a new blob and pointer written to KV behind this one's back.
    const other = `pl_${crypto.randomUUID()}`;
    await rebuildPilotAI(env, other, { ...source, intents: source.intents.slice(1) });
    const { version } = JSON.parse((await env.SNAPSHOTS.get(pilotAiKey(other))) as string);
    const blob = await env.SNAPSHOTS.get(`${pilotAiKey(other)}:${version}`);
    await env.SNAPSHOTS.put(`${pilotAiKey(pilotId)}:${version}`, blob as string);
    await env.SNAPSHOTS.put(pilotAiKey(pilotId), JSON.stringify({ version }));
    // Within the window this isolate still serves the pointer it read.
    expect((await (await loadPilotAI(env, pilotId)).detect('track my package')).intent).toBe(
      'order_status',
    );
    await new Promise((r) => setTimeout(r, POINTER_TTL_MS + 100));
    expect((await (await loadPilotAI(env, pilotId)).detect('track my package')).intent).not.toBe(
      'order_status',
    );
    // A rebuild in this isolate writes its pointer through: the next load has it at once.
    await rebuildPilotAI(env, pilotId, source);
    expect((await (await loadPilotAI(env, pilotId)).detect('track my package')).intent).toBe(
      'order_status',
    );
  });

  it('works for a pilot with nothing trained yet: no intent, but entities and handover', async () => {
    const ai = await loadPilotAI(env, `pl_${crypto.randomUUID()}`);
    const detected = await ai.detect('my email is ada@example.com');
    expect(detected.intent).toBeNull();
    expect(detected.entities).toContainEqual({
      name: 'email',
      value: 'ada@example.com',
      text: 'ada@example.com',
    });
    expect(await ai.answer('anything about refunds?')).toEqual({ kind: 'noAnswer' });
    expect(await ai.answer('can I speak to an agent')).toEqual({ kind: 'handoverRequested' });
  });

  it('answers locally when a pilot asks for Workers AI or an endpoint this deployment does not have', async () => {
    // wrangler.toml binds no AI here and no OPENAI_* secrets are set: both fall back to local.
    for (const provider of ['workers_ai', 'openai_compatible']) {
      const settings = pilotAiSettingsSchema.parse({ provider });
      expect(chatModelFor(env, settings), provider).toBeNull();
      const ai = await loadPilotAI(env, `pl_${crypto.randomUUID()}`, { provider });
      expect(ai.chat).toBeNull();
    }
  });

  it('keeps at most two stored versions of a pilot AI however often it is rebuilt', async () => {
    const pilotId = `pl_${crypto.randomUUID()}`;
    for (let i = 0; i < 4; i++) await rebuildPilotAI(env, pilotId, source);
    const { keys } = await env.SNAPSHOTS.list({ prefix: `${pilotAiKey(pilotId)}:` });
    expect(keys).toHaveLength(2);
    expect((await (await loadPilotAI(env, pilotId)).detect('track my package')).intent).toBe(
      'order_status',
    );
  });
});
