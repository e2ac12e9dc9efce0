/**
 * Typed answers for `ask_question` kinds: which native input to show and how to check an
 * answer before it is sent (the server validates again; this is for inline feedback).
 */
import type { StringKey } from './strings.ts';

export interface InputKind {
  type: 'text' | 'email' | 'tel' | 'number' | 'date' | 'url';
  inputMode: 'text' | 'email' | 'tel' | 'decimal' | 'url';
  autocomplete: string;
}

const KINDS: Record<string, InputKind> = {
  email: { type: 'email', inputMode: 'email', autocomplete: 'email' },
  phone: { type: 'tel', inputMode: 'tel', autocomplete: 'tel' },
  number: { type: 'number', inputMode: 'decimal', autocomplete: 'off' },
  date: { type: 'date', inputMode: 'text', autocomplete: 'off' },
  url: { type: 'url', inputMode: 'url', autocomplete: 'url' },
  // "Leave your email" offered when nobody is available: an email keyboard and autofill, but
  // any text may still be sent (the visitor may ask another question instead).
  email_offer: { type: 'text', inputMode: 'email', autocomplete: 'email' },
};
const TEXT: InputKind = { type: 'text', inputMode: 'text', autocomplete: 'off' };

/** The native input for a question kind (free text for anything else). */
export function inputFor(kind: string | undefined): InputKind {
  return (kind && KINDS[kind]) || TEXT;
}

const CHECKS: Record<string, (value: string) => boolean> = {
  email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
  phone: (v) => /^\+?[\d\s().-]{6,20}$/.test(v) && (v.match(/\d/g)?.length ?? 0) >= 6,
  number: (v) => v !== '' && Number.isFinite(Number(v)),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  url: (v) => {
    try {
      return /^https?:$/.test(new URL(v).protocol);
    } catch {
      return false;
    }
  },
};

/** The string key of the inline error for an invalid answer, or null when it is fine. */
export function invalidAnswer(kind: string | undefined, value: string): StringKey | null {
  const check = kind ? CHECKS[kind] : undefined;
  return check && !check(value.trim()) ? (`invalid_${kind}` as StringKey) : null;
}
