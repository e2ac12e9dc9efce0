/**
 * Workers AI instruct model as a ChatModel. Used only when the deployment has an `AI` binding
 * (it is not bound locally: `wrangler dev` cannot run Workers AI without an account).
 */
import type { ChatMessage, ChatModel } from '../../shared/ai/chat-model.ts';
import { withTimeout } from '../../shared/knowledge/timeout.ts';

/** How long a grounded answer may take before the pilot answers locally (as the OpenAI path). */
export const CHAT_TIMEOUT_MS = 15_000;

/** The part of the Workers AI binding we use; typed here because wrangler.toml does not bind it. */
export interface WorkersAiBinding {
  run(
    model: string,
    input: { messages: ChatMessage[]; max_tokens?: number } | { text: string[] },
  ): Promise<unknown>;
}

export class WorkersAiChat implements ChatModel {
  private readonly ai: WorkersAiBinding;
  private readonly model: string;

  constructor(ai: WorkersAiBinding, model: string) {
    this.ai = ai;
    this.model = model;
  }

  async complete(messages: ChatMessage[]): Promise<string> {
    const output = await withTimeout(
      this.ai.run(this.model, { messages, max_tokens: 400 }),
      CHAT_TIMEOUT_MS,
      'Workers AI chat',
    );
    const response = (output as { response?: unknown } | null)?.response;
    if (typeof response !== 'string') throw new Error('Workers AI answered an unexpected shape');
    return response;
  }
}

/** A Workers AI text-embedding model as an EmbedFn (embeddings.ts): `{ text }` → `{ data }`. */
export function workersAiEmbed(ai: WorkersAiBinding, model: string) {
  return async (texts: string[]): Promise<number[][]> => {
    const output = await ai.run(model, { text: texts });
    const data = (output as { data?: unknown } | null)?.data;
    if (!Array.isArray(data) || !data.every((row) => Array.isArray(row)))
      throw new Error('Workers AI embeddings answered an unexpected shape');
    return data as number[][];
  };
}
