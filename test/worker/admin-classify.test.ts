/** `POST /pilots/:id/classify`: the console's "try a sentence" box (issue 14). */
import { describe, expect, it } from 'vitest';
import { MAX_CLASSIFY_CHARS } from '../../worker/routes/admin/pilot-classify.ts';
import { call } from '../helpers/admin.ts';
import { createPilot, json } from './runtime-helpers.ts';

const send = (method: string, path: string, body?: unknown) =>
  call(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

interface Classified {
  intent: string | null;
  confidence: number;
  entities: { name: string; value: string; text: string }[];
  trainedAt: number | null;
}

const classify = async (base: string, text: string) =>
  json<Classified>(await send('POST', `${base}/classify`, { text }));

describe('classify a sentence (admin)', () => {
  it('says nothing is trained yet, and still finds system entities', async () => {
    const { pilotId } = await createPilot();
    const result = await classify(`/v1/admin/pilots/${pilotId}`, 'mail me at ana@example.com');
    expect(result).toMatchObject({ intent: null, confidence: 0, trainedAt: null });
    expect(result.entities).toContainEqual({
      name: 'email',
      value: 'ana@example.com',
      text: 'ana@example.com',
    });
  });

  it('detects the intent the pilot was trained on, with its entities, and forgets a deleted one', async () => {
    const { pilotId } = await createPilot();
    const base = `/v1/admin/pilots/${pilotId}`;
    const entity = await send('POST', `${base}/entities`, {
      kind: 'list',
      name: 'plan',
      values: [{ value: 'pro', synonyms: ['professional'] }],
    });
    expect(entity.status).toBe(201);
    const refund = await json<{ id: string }>(
      await send('POST', `${base}/intents`, {
        name: 'refund',
        entities: ['plan'],
        trainingPhrases: [
          'I want my money back',
          'refund my order please',
          'can I get a refund',
          'give me a refund for my plan',
          'I was charged and want the money returned',
        ],
      }),
    );
    expect(
      (
        await send('POST', `${base}/intents`, {
          name: 'shipping',
          trainingPhrases: [
            'where is my parcel',
            'when will my order arrive',
            'track my delivery',
            'how long does shipping take',
            'has my package shipped yet',
          ],
        })
      ).status,
    ).toBe(201);

    const result = await classify(base, 'I would like a refund for my professional plan');
    expect(result.intent).toBe('refund');
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.entities).toContainEqual({ name: 'plan', value: 'pro', text: 'professional' });
    expect(result.trainedAt).toBeTypeOf('number');
    expect((await classify(base, 'where is my parcel right now')).intent).toBe('shipping');

    expect((await send('DELETE', `${base}/intents/${refund.id}`)).status).toBe(200);
    expect((await classify(base, 'I would like a refund for my plan')).intent).not.toBe('refund');
  });

  it('refuses an empty, blank or oversized sentence and unknown fields naming them, and an unknown pilot', async () => {
    const { pilotId } = await createPilot();
    const base = `/v1/admin/pilots/${pilotId}`;
    for (const body of [{}, { text: '   ' }, { text: 'x'.repeat(MAX_CLASSIFY_CHARS + 1) }]) {
      const response = await send('POST', `${base}/classify`, body);
      expect(response.status).toBe(400);
      const error = await response.json<{ error: { code: string; issues: { path: string }[] } }>();
      expect(error.error.code).toBe('invalid_input');
      expect(error.error.issues.map((i) => i.path)).toContain('text');
    }
    const extra = await send('POST', `${base}/classify`, { text: 'hi', debug: true });
    expect(extra.status).toBe(400);
    expect((await extra.json<{ error: { code: string } }>()).error.code).toBe('invalid_input');
    const longest = await send('POST', `${base}/classify`, {
      text: 'a'.repeat(MAX_CLASSIFY_CHARS),
    });
    expect(longest.status).toBe(200);
    const unknown = await send('POST', '/v1/admin/pilots/pilot_nope/classify', { text: 'hi' });
    expect(unknown.status).toBe(404);
  });
});
