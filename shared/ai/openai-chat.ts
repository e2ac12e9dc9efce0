/**
 * A chat model behind any OpenAI-compatible `/chat/completions` endpoint (OpenAI, Azure,
 * vLLM, Ollama, llama.cpp server, LiteLLM ...). Plain `fetch`: no SDK in the Worker bundle.
 */
import { z } from 'zod';
import type { ChatMessage, ChatModel } from './chat-model.ts';

interface FetchResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}
type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: unknown },
) => Promise<FetchResponse>;

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

export interface OpenAiChatOptions {
  /** e.g. `https://api.openai.com/v1` — `/chat/completions` is appended. */
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs?: number;
  fetch?: Fetch;
}

export class OpenAiCompatibleChat implements ChatModel {
  private readonly options: OpenAiChatOptions;

  constructor(options: OpenAiChatOptions) {
    this.options = options;
  }

  async complete(messages: ChatMessage[]): Promise<string> {
    const { baseUrl, apiKey, model, timeoutMs = 15_000 } = this.options;
    const fetchImpl = this.options.fetch ?? (globalThis as unknown as { fetch: Fetch }).fetch;
    const timeout = (globalThis as unknown as { AbortSignal: { timeout(ms: number): unknown } })
      .AbortSignal;
    const response = await fetchImpl(`${baseUrl.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      // Low temperature: answers must stick to the sources.
      body: JSON.stringify({ model, messages, temperature: 0.1, max_tokens: 400 }),
      signal: timeout.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`chat endpoint answered HTTP ${response.status}`);
    const parsed = completionSchema.safeParse(await response.json());
    if (!parsed.success) throw new Error('chat endpoint answered an unexpected shape');
    return parsed.data.choices[0]?.message.content ?? '';
  }
}
