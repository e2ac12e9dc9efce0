/**
 * A pilot's AI, built when its intents, entities or articles change and loaded once per
 * Durable Object: the trained local intent model, the entity definitions and the knowledge
 * index are stored together as one JSON value in KV (pilot-ai-store.ts), so the hot path reads,
 * parses once per version and never retrains.
 */
import {
  type PilotAiSettings,
  pilotAiSettingsSchema,
  selectProvider,
} from '../../shared/ai/ai-settings.ts';
import type { ChatModel } from '../../shared/ai/chat-model.ts';
import { type EntityDefinition, EntityExtractor } from '../../shared/ai/entities.ts';
import type {
  IntentDefinition,
  IntentDetector,
  IntentResult,
} from '../../shared/ai/intent-detector.ts';
import { LocalIntentDetector } from '../../shared/ai/local-intent-detector.ts';
import { OpenAiCompatibleChat } from '../../shared/ai/openai-chat.ts';
import {
  type AnswerOptions,
  answerFromKnowledge,
  decideKnowledgeAnswer,
  type KnowledgeDecision,
  type SemanticScorer,
} from '../../shared/knowledge/answer.ts';
import type { KnowledgeAnswer, KnowledgeArticle } from '../../shared/knowledge/article.ts';
import { EmbeddingScorer, embedPassages } from '../../shared/knowledge/embeddings.ts';
import { KnowledgeIndex, splitPassages } from '../../shared/knowledge/knowledge-index.ts';
import {
  deleteAllVectors,
  manifestCovers,
  parseManifest,
  syncVectorIndex,
  VECTORIZE_MIN_PASSAGES,
  VectorizeScorer,
  type VectorManifest,
  type VectorStore,
} from '../../shared/knowledge/vector-index.ts';
import {
  deleteStoredPilotAi,
  readLatestStoredPilotAi,
  readStoredPilotAi,
  type StoredPilotAi,
  writeStoredPilotAi,
} from './pilot-ai-store.ts';
import { type WorkersAiBinding, WorkersAiChat, workersAiEmbed } from './workers-ai-chat.ts';

/** Workers AI text-embedding model for knowledge passages and questions (384 dimensions). */
export const EMBEDDING_MODEL = '@cf/baai/bge-small-en-v1.5';

export { pilotAiKey } from './pilot-ai-store.ts';

/** Bindings and secrets the AI may use; all optional except the KV namespace. */
export interface AiEnv {
  SNAPSHOTS: KVNamespace;
  AI?: WorkersAiBinding;
  /** A Vectorize index (384 dimensions, cosine) for knowledge bases over VECTORIZE_MIN_PASSAGES. */
  VECTORIZE?: VectorStore;
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
}

export interface PilotAiSource {
  intents: IntentDefinition[];
  entities: EntityDefinition[];
  articles: KnowledgeArticle[];
}

export interface RebuildStats {
  intents: number;
  phrases: number;
  passages: number;
  trainMs: number;
  bytes: number;
  /** Where the passage vectors are: none (local word vectors), the KV snapshot, or Vectorize. */
  vectors: 'none' | 'snapshot' | 'vectorize';
}

// The real binding must fit the narrow interface the code and tests use (checked by tsc).
const _vectorizeFits: (binding: Vectorize) => VectorStore = (binding) => binding;
void _vectorizeFits;

/**
 * Vectors for the pilot's passages: in Vectorize when both bindings exist and the knowledge base
 * is large, else in the snapshot when Workers AI is bound. Vectors a pilot had in Vectorize and no
 * longer needs (it shrank, or a binding went) are deleted. Failures keep the local path.
 */
async function passageVectors(
  env: AiEnv,
  pilotId: string,
  articles: KnowledgeArticle[],
): Promise<
  Pick<StoredPilotAi, 'embeddings' | 'vectorIndex'> & { vectors: RebuildStats['vectors'] }
> {
  const passages = articles.flatMap(splitPassages);
  const before = await readLatestStoredPilotAi(env.SNAPSHOTS, pilotId);
  const previous: VectorManifest | null = parseManifest(before?.vectorIndex);
  if (env.AI && env.VECTORIZE && passages.length > VECTORIZE_MIN_PASSAGES) {
    const result = await syncVectorIndex({
      store: env.VECTORIZE,
      embed: workersAiEmbed(env.AI, EMBEDDING_MODEL),
      model: EMBEDDING_MODEL,
      pilotId,
      passages,
      previous,
    });
    if (result.error)
      console.warn('Vectorize sync incomplete; retried on the next rebuild', result.error);
    return { vectorIndex: result.manifest, vectors: result.manifest.active ? 'vectorize' : 'none' };
  }
  // Back on the snapshot (or local): what is still in Vectorize goes. Kept, inactive, if it cannot.
  let leftover: VectorManifest | null =
    previous && Object.keys(previous.articles).length ? previous : null;
  if (leftover && env.VECTORIZE) {
    try {
      await deleteAllVectors(env.VECTORIZE, leftover);
      leftover = null;
    } catch (error) {
      console.warn('Vectorize delete failed; retried on the next rebuild', String(error));
    }
  }
  const kept = leftover ? { vectorIndex: { ...leftover, active: false } } : {};
  if (!env.AI || passages.length === 0) return { ...kept, vectors: 'none' };
  try {
    const embeddings = await embedPassages(
      passages,
      workersAiEmbed(env.AI, EMBEDDING_MODEL),
      EMBEDDING_MODEL,
      before?.embeddings,
    );
    return {
      ...kept,
      ...(embeddings ? { embeddings } : {}),
      vectors: embeddings ? 'snapshot' : 'none',
    };
  } catch (error) {
    console.warn('Workers AI embeddings failed; knowledge stays local', String(error));
    return { ...kept, vectors: 'none' };
  }
}

/** Trains the intent model and indexes the articles; stores both. Call after every change. */
export async function rebuildPilotAI(
  env: AiEnv,
  pilotId: string,
  source: PilotAiSource,
): Promise<RebuildStats> {
  const started = Date.now();
  const entities = new EntityExtractor(source.entities);
  const intents = source.intents.filter((intent) => intent.trainingPhrases.length > 0);
  const model = intents.length ? LocalIntentDetector.train(intents, { entities }) : null;
  const index = KnowledgeIndex.build(source.articles);
  // With Workers AI bound, the passages are embedded here, when articles are saved, so a
  // question needs one embedding call (and one Vectorize query for a large knowledge base).
  const { vectors, ...stores } = await passageVectors(env, pilotId, source.articles);
  const stored: StoredPilotAi = {
    format: 'edgepilot-pilot-ai/1',
    builtAt: Date.now(),
    model: model?.toJSON() ?? null,
    entities: source.entities,
    knowledge: index.toJSON(),
    ...stores,
  };
  const bytes = await writeStoredPilotAi(env.SNAPSHOTS, pilotId, stored);
  return {
    intents: intents.length,
    phrases: intents.reduce((n, intent) => n + intent.trainingPhrases.length, 0),
    passages: index.passageCount,
    trainMs: Date.now() - started,
    bytes,
    vectors,
  };
}

/** Nothing trained yet: no intent, but entities and handover requests still work. */
class EmptyIntentDetector implements IntentDetector {
  private readonly entities: EntityExtractor;
  constructor(entities: EntityExtractor) {
    this.entities = entities;
  }
  detect(text: string): IntentResult {
    return { intent: null, confidence: 0, entities: this.entities.extract(text) };
  }
}

export class PilotAI {
  readonly detector: IntentDetector;
  readonly index: KnowledgeIndex;
  readonly settings: PilotAiSettings;
  readonly chat: ChatModel | null;
  readonly builtAt: number;
  /** Embedding match (Workers AI) in place of the local title match; null: local. */
  readonly semantic: SemanticScorer | null;

  constructor(options: {
    detector: IntentDetector;
    index: KnowledgeIndex;
    settings: PilotAiSettings;
    chat: ChatModel | null;
    builtAt: number;
    semantic?: SemanticScorer | null;
  }) {
    this.semantic = options.semantic ?? null;
    this.detector = options.detector;
    this.index = options.index;
    this.settings = options.settings;
    this.chat = options.chat;
    this.builtAt = options.builtAt;
  }

  detect(text: string): Promise<IntentResult> {
    return Promise.resolve(this.detector.detect(text));
  }

  /**
   * The `ai_answer` node and the pilot's default answer. Never throws: an LLM failure falls
   * back to the local extractive answer. The citations become the message's links
   * (`citationLinks`), so the text stays the answer alone. The same answer as `decide`'s, which
   * also works out why (skipping the lexical search when no article is like the question).
   */
  answer(question: string, persona = ''): Promise<KnowledgeAnswer> {
    return this.ask(question, persona, answerFromKnowledge);
  }

  /** The answer with its confidence and why (the admin's "ask the pilot"). */
  decide(question: string, persona = ''): Promise<KnowledgeDecision> {
    return this.ask(question, persona, decideKnowledgeAnswer);
  }

  private async ask<T>(
    question: string,
    persona: string,
    knowledge: (question: string, index: KnowledgeIndex, options: AnswerOptions) => Promise<T>,
  ): Promise<T> {
    const minConfidence = this.settings.knowledgeMinConfidence;
    const semantic = this.semantic ?? undefined;
    if (this.chat || semantic) {
      try {
        return await knowledge(question, this.index, {
          minConfidence,
          ...(this.chat ? { chat: this.chat, persona } : {}),
          ...(semantic ? { semantic } : {}),
        });
      } catch (error) {
        console.warn('AI provider failed; answering locally', String(error));
      }
    }
    return knowledge(question, this.index, { minConfidence });
  }
}

/** The chat model the pilot's settings ask for, if this deployment offers it. */
export function chatModelFor(env: AiEnv, settings: PilotAiSettings): ChatModel | null {
  const choice = selectProvider(settings, {
    workersAi: env.AI !== undefined,
    openaiCompatible: Boolean(env.OPENAI_API_KEY && env.OPENAI_BASE_URL),
  });
  if (choice.kind === 'workers_ai' && env.AI)
    return new WorkersAiChat(env.AI, settings.workersAiModel);
  if (choice.kind === 'openai_compatible' && env.OPENAI_API_KEY && env.OPENAI_BASE_URL) {
    return new OpenAiCompatibleChat({
      baseUrl: env.OPENAI_BASE_URL,
      apiKey: env.OPENAI_API_KEY,
      model: settings.openaiModel,
    });
  }
  return null;
}

/**
 * Loads a pilot's AI from KV: its pointer (read at most once per POINTER_TTL_MS per isolate)
 * and, for a version this isolate has not parsed yet, the blob (pilot-ai-store.ts); a
 * conversation keeps the result for AI_TTL_MS (conversation/pilot-resources.ts).
 * `settings` is the pilot's `ai` settings from its snapshot (defaults: local provider).
 */
export async function loadPilotAI(
  env: AiEnv,
  pilotId: string,
  settings?: unknown,
): Promise<PilotAI> {
  // Bad stored settings must not take the pilot down: fall back to the defaults (local).
  const parsed = pilotAiSettingsSchema.safeParse(settings ?? {});
  const aiSettings = parsed.success ? parsed.data : pilotAiSettingsSchema.parse({});
  const { detector, index, builtAt, embeddings, vectorIndex } = await readStoredPilotAi(
    env.SNAPSHOTS,
    pilotId,
    (stored) => {
      const entities = new EntityExtractor(stored?.entities ?? []);
      return {
        detector: stored?.model
          ? LocalIntentDetector.fromJSON(stored.model, entities)
          : new EmptyIntentDetector(entities),
        index: stored ? KnowledgeIndex.fromJSON(stored.knowledge) : KnowledgeIndex.build([]),
        builtAt: stored?.builtAt ?? 0,
        embeddings: stored?.embeddings ?? null,
        vectorIndex: parseManifest(stored?.vectorIndex),
      };
    },
  );
  return new PilotAI({
    detector,
    index,
    settings: aiSettings,
    chat: chatModelFor(env, aiSettings),
    builtAt,
    semantic: semanticScorer(env, index, embeddings, vectorIndex),
  });
}

/**
 * Stored vectors are used only while the bindings that made them are there to embed (and query)
 * questions, only for the model that made them, and only when every article has vectors;
 * otherwise the local title match.
 */
function semanticScorer(
  env: AiEnv,
  index: KnowledgeIndex,
  embeddings: unknown,
  vectorIndex: VectorManifest | null,
): SemanticScorer | null {
  if (!env.AI) return null;
  const embed = workersAiEmbed(env.AI, EMBEDDING_MODEL);
  if (vectorIndex?.active) {
    const usable =
      env.VECTORIZE &&
      vectorIndex.model === EMBEDDING_MODEL &&
      manifestCovers(vectorIndex, index.articles);
    return usable && env.VECTORIZE ? new VectorizeScorer(env.VECTORIZE, embed, vectorIndex) : null;
  }
  const scorer = embeddings ? EmbeddingScorer.fromStored(embeddings, embed) : null;
  return scorer?.model === EMBEDDING_MODEL && scorer.coversAll(index.articles) ? scorer : null;
}

/**
 * First step of deleting a pilot: deletes its vectors in Vectorize (every id its manifest lists)
 * and stores an empty, inactive manifest, so that a pilot whose deletion then fails answers
 * locally and re-embeds on its next rebuild. Throws when Vectorize refuses (the caller then keeps
 * the pilot: a retry finds the same ids). Returns the number of ids deleted.
 */
export async function erasePilotVectors(env: AiEnv, pilotId: string): Promise<number> {
  const stored = await readLatestStoredPilotAi(env.SNAPSHOTS, pilotId);
  const manifest = parseManifest(stored?.vectorIndex);
  if (!stored || !manifest || Object.keys(manifest.articles).length === 0) return 0;
  if (!env.VECTORIZE)
    throw new Error('the pilot has vectors in Vectorize, but VECTORIZE is not bound');
  const deleted = await deleteAllVectors(env.VECTORIZE, manifest);
  const emptied: VectorManifest = { ...manifest, active: false, articles: {} };
  await writeStoredPilotAi(env.SNAPSHOTS, pilotId, {
    ...stored,
    builtAt: Date.now(),
    vectorIndex: emptied,
  });
  return deleted;
}

/** Last step of deleting a pilot: its stored AI (model, knowledge index, embeddings) in KV. */
export function deletePilotAI(env: AiEnv, pilotId: string): Promise<void> {
  return deleteStoredPilotAi(env.SNAPSHOTS, pilotId);
}
