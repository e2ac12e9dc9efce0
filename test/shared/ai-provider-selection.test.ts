import { describe, expect, it } from 'vitest';
import { pilotAiSettingsSchema, selectProvider } from '../../shared/ai/ai-settings.ts';

const everything = { workersAi: true, openaiCompatible: true };
const nothing = { workersAi: false, openaiCompatible: false };

describe('AI provider selection per pilot', () => {
  it('uses the local provider by default, even when others are available', () => {
    expect(selectProvider(pilotAiSettingsSchema.parse({}), everything)).toEqual({ kind: 'local' });
    expect(selectProvider(undefined, everything)).toEqual({ kind: 'local' });
  });

  it('uses Workers AI only when the deployment has an AI binding', () => {
    expect(selectProvider({ provider: 'workers_ai' }, everything)).toEqual({ kind: 'workers_ai' });
    expect(selectProvider({ provider: 'workers_ai' }, nothing)).toEqual({
      kind: 'local',
      fallbackReason: 'no AI binding is configured',
    });
  });

  it('uses the OpenAI-compatible endpoint only when its secret is set', () => {
    expect(selectProvider({ provider: 'openai_compatible' }, everything)).toEqual({
      kind: 'openai_compatible',
    });
    expect(
      selectProvider({ provider: 'openai_compatible' }, { ...everything, openaiCompatible: false }),
    ).toMatchObject({ kind: 'local' });
  });

  it('rejects an unknown provider name in pilot settings, naming the field', () => {
    const result = pilotAiSettingsSchema.safeParse({ provider: 'skynet' });
    expect(result.error?.issues[0]?.path).toEqual(['provider']);
  });
});
