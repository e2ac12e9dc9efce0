/** A chat-completion model (OpenAI-compatible endpoint or Workers AI) behind one small interface. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatModel {
  complete(messages: ChatMessage[]): Promise<string>;
}
