/**
 * A conversation's transcript as the visitor saw it: who said it, when, the text, and a pilot
 * message's rich parts (choices, links, cards, image). Everything is rendered as text (Preact
 * escapes it); only http(s) links become links. Images are named by their alt text: the
 * console's CSP loads no image from another origin.
 */
import { useState } from 'preact/hooks';
import type { components } from '../api/client.ts';
import { Button } from '../ui/button.tsx';
import { formatTime, safeHref } from './format.ts';
import { TRANSCRIPT_SHOWN, TRANSCRIPT_STEP, transcriptWindow } from './transcript-window.ts';

export type MessageView = components['schemas']['Message'];

const authorLabel: Record<MessageView['author'], string> = {
  visitor: 'Visitor',
  pilot: 'Pilot',
  agent: 'Agent',
  system: 'System',
};

function Link({ url, label }: { url: string; label: string }) {
  const href = safeHref(url);
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {label}
    </a>
  ) : (
    <span>{label}</span>
  );
}

export function Transcript({
  messages,
  label,
}: {
  messages: readonly MessageView[];
  label: string;
}) {
  const [shown, setShown] = useState(TRANSCRIPT_SHOWN);
  if (messages.length === 0) return <p>No messages yet.</p>;
  const { hidden, visible } = transcriptWindow(messages, shown);
  return (
    <>
      {hidden > 0 && (
        <p class="transcript-earlier">
          {hidden.toLocaleString('en')} earlier {hidden === 1 ? 'message is' : 'messages are'} not
          shown.{' '}
          <Button onClick={() => setShown((n) => n + TRANSCRIPT_STEP)}>
            Show {Math.min(hidden, TRANSCRIPT_STEP).toLocaleString('en')} earlier
          </Button>
        </p>
      )}
      <TranscriptList messages={visible} label={label} />
    </>
  );
}

function TranscriptList({ messages, label }: { messages: readonly MessageView[]; label: string }) {
  return (
    <ol class="transcript" aria-label={label}>
      {messages.map((m) => (
        <li key={m.seq} class={`msg msg-${m.author}`}>
          <p class="msg-meta">
            <strong>{authorLabel[m.author]}</strong> <time>{formatTime(m.at)}</time>
          </p>
          {m.text && <p class="msg-text">{m.text}</p>}
          {m.choices && m.choices.length > 0 && (
            <p class="msg-parts">Choices offered: {m.choices.map((c) => c.label).join(' · ')}</p>
          )}
          {m.image && <p class="msg-parts">Image: {m.image.alt || 'no description'}</p>}
          {m.links && m.links.length > 0 && (
            <ul class="msg-parts">
              {m.links.map((l) => (
                <li key={l.url}>
                  <Link url={l.url} label={l.label} />
                </li>
              ))}
            </ul>
          )}
          {m.cards && m.cards.length > 0 && (
            <ul class="msg-parts">
              {m.cards.map((card) => (
                <li key={card.title}>
                  {card.url ? <Link url={card.url} label={card.title} /> : card.title}
                  {card.text ? ` — ${card.text}` : ''}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
