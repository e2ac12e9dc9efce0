/**
 * The transcript an `email_conversation` node sends: the conversation as the visitor saw it,
 * as plain text (images, link buttons, cards, choices and forms become text and links). Pure,
 * so simulate shows the same body the worker sends.
 */

export interface TranscriptMessage {
  author: string;
  text: string;
  image?: { url: string; alt: string } | undefined;
  links?: { label: string; url: string }[] | undefined;
  cards?: { title: string; text?: string; url?: string }[] | undefined;
  choices?: (string | { label: string })[] | undefined;
  form?: { label: string }[] | undefined;
}

/** The body never passes this (the `send_email` body limit); the oldest lines go first. */
export const MAX_TRANSCRIPT_CHARS = 20_000;
const OMITTED = '(earlier messages omitted)\n\n';

const WHO: Record<string, string> = { visitor: 'You', pilot: 'Pilot', agent: 'Agent' };

function lines(m: TranscriptMessage): string[] {
  const out = [`${WHO[m.author] ?? m.author}: ${m.text}`];
  if (m.image) out.push(`  [Image: ${m.image.alt || 'image'}] ${m.image.url}`);
  for (const link of m.links ?? []) out.push(`  ${link.label}: ${link.url}`);
  for (const card of m.cards ?? [])
    out.push(`  ${[card.title, card.text, card.url].filter(Boolean).join(' — ')}`);
  if (m.choices?.length)
    out.push(
      `  Options: ${m.choices.map((c) => (typeof c === 'string' ? c : c.label)).join(' | ')}`,
    );
  if (m.form?.length) out.push(`  Form: ${m.form.map((f) => f.label).join(', ')}`);
  return out;
}

/** System messages (internal notes, joins) are not part of what the visitor read. */
export function transcriptText(messages: readonly TranscriptMessage[]): string {
  const blocks = messages.filter((m) => m.author !== 'system').map((m) => lines(m).join('\n'));
  // Newest first until the budget is spent: one pass, however long the conversation.
  let used = 0;
  let first = blocks.length;
  while (
    first > 0 &&
    used + (blocks[first - 1]?.length ?? 0) + 2 <= MAX_TRANSCRIPT_CHARS - OMITTED.length
  ) {
    first--;
    used += (blocks[first]?.length ?? 0) + 2;
  }
  if (first === 0) return blocks.join('\n\n');
  // One huge newest message still shows its end.
  if (first === blocks.length)
    return (OMITTED + (blocks.at(-1) ?? '')).slice(0, MAX_TRANSCRIPT_CHARS);
  return OMITTED + blocks.slice(first).join('\n\n');
}
