/**
 * The Workers AI embedding path, tested at its interface: a deterministic embedding function
 * (words mapped to a few shared "concept" axes, so "package" and "delivery" point the same way)
 * stands in for the model. This proves the storing, the one-call-per-question, the fusion with
 * BM25 and the fallback; it cannot prove how good a real model's embeddings are, nor their
 * latency (test/README.md).
 */
import { describe, expect, it } from 'vitest';
import { pilotAiSettingsSchema } from '../../shared/ai/ai-settings.ts';
import { decideKnowledgeAnswer } from '../../shared/knowledge/answer.ts';
import {
  EMBED_BATCH,
  EmbeddingScorer,
  embedPassages,
  MAX_EMBED_CHARS,
  MAX_EMBEDDED_PASSAGES,
} from '../../shared/knowledge/embeddings.ts';
import { KnowledgeIndex, splitPassages } from '../../shared/knowledge/knowledge-index.ts';
import { PilotAI } from '../../worker/ai/pilot-ai.ts';
import { conceptEmbed } from '../helpers/concept-embed.ts';
import { paraphraseArticles } from '../helpers/paraphrase-articles.ts';

const articles = paraphraseArticles();
const index = KnowledgeIndex.build(articles);
const passages = articles.flatMap(splitPassages);

/** What the Worker does: embed at save, store as JSON (KV), parse at load. */
async function stored(calls: string[][]) {
  const saved = await embedPassages(passages, conceptEmbed(calls), 'test-model');
  const scorer = EmbeddingScorer.fromStored(JSON.parse(JSON.stringify(saved)), conceptEmbed(calls));
  if (!scorer) throw new Error('stored embeddings did not load');
  return scorer;
}

describe('knowledge answers with embeddings (Workers AI path, injected model)', () => {
  it('embeds every passage once at save time, and a question with exactly one call', async () => {
    const calls: string[][] = [];
    const scorer = await stored(calls);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(passages.length);
    calls.length = 0;
    await decideKnowledgeAnswer('how many days until my package gets to Berlin?', index, {
      semantic: scorer,
    });
    expect(calls).toEqual([['how many days until my package gets to Berlin?']]);
  });

  it('answers a paraphrase from the article its embedding matches, fused with BM25', async () => {
    const question = 'how many days until my package gets to Berlin?';
    // Lexically, "days" is in two articles and BM25 prefers the shorter refunds one.
    expect(index.query(question, 1)[0]?.articleId).toBe('refunds');
    const decision = await decideKnowledgeAnswer(question, index, {
      semantic: await stored([]),
    });
    expect(decision.answer.kind).toBe('answered');
    expect(decision.best?.url).toBe('https://help.example.com/delivery');
    expect(decision.why).toContain('embedding match');
  });

  it('still says noAnswer to a question none of the articles is about', async () => {
    const decision = await decideKnowledgeAnswer('Which football team won the league?', index, {
      semantic: await stored([]),
    });
    expect(decision.answer).toEqual({ kind: 'noAnswer' });
  });

  it('embeds at most MAX_EMBEDDED_PASSAGES passages, 100 a call, each cut to MAX_EMBED_CHARS', async () => {
    const many = Array.from({ length: MAX_EMBEDDED_PASSAGES + 50 }, (_, i) => ({
      id: `p${i}`,
      articleId: `a${i}`,
      title: `Article ${i}`,
      url: `https://help.example.com/${i}`,
      text: 'delivery '.repeat(1000),
    }));
    const calls: string[][] = [];
    const saved = await embedPassages(many, conceptEmbed(calls), 'test-model');
    expect(saved?.articleIds).toHaveLength(MAX_EMBEDDED_PASSAGES);
    expect(calls).toHaveLength(MAX_EMBEDDED_PASSAGES / EMBED_BATCH);
    expect(Math.max(...calls.map((batch) => batch.length))).toBe(EMBED_BATCH);
    expect(Math.max(...calls.flat().map((text) => text.length))).toBe(MAX_EMBED_CHARS);
  });

  it('refuses stored embeddings that do not add up, and a model answering the wrong shape', async () => {
    const saved = await embedPassages(passages, conceptEmbed([]), 'test-model');
    const embed = conceptEmbed([]);
    expect(EmbeddingScorer.fromStored({ ...saved, dims: 7 }, embed)).toBeNull();
    expect(EmbeddingScorer.fromStored({ ...saved, articleIds: ['x'] }, embed)).toBeNull();
    expect(EmbeddingScorer.fromStored('not an object', embed)).toBeNull();
    await expect(embedPassages(passages, async () => [[1, 2]], 'm')).rejects.toThrow(
      'one vector per text',
    );
  });

  it('the pilot answers locally when the embedding call fails at question time', async () => {
    const saved = await embedPassages(passages, conceptEmbed([]), 'test-model');
    const failing = EmbeddingScorer.fromStored(saved, async () => {
      throw new Error('Workers AI unavailable');
    });
    const pilot = new PilotAI({
      detector: { detect: () => ({ intent: null, confidence: 0, entities: [] }) },
      index,
      settings: pilotAiSettingsSchema.parse({}),
      chat: null,
      builtAt: 0,
      semantic: failing,
    });
    const decision = await pilot.decide('How do I reset my password?');
    expect(decision.answer.kind).toBe('answered');
    expect(decision.why).toContain('title match');
  });
});
