/**
 * Validates and normalises an `ask_question` answer by input kind. Returns the value to save
 * and the option picked (buttons, yes/no), or `valid: false`.
 */

import { toBoolean } from '../expr/coerce.ts';
import { localTime } from '../expr/office-hours.ts';
import type { NodeOf } from '../flow/nodes.ts';

type AskQuestion = NodeOf<'ask_question'>;
type Option = { label: string; value: string; next?: string | undefined };

export type Answer =
  | { valid: true; value: unknown; option?: Option }
  | { valid: false; reason: string };

const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;
const PHONE = /^\+?\d{6,15}$/;
const YES_WORDS = new Set([
  'yes',
  'y',
  'yeah',
  'yep',
  'sure',
  'ok',
  'okay',
  'true',
  'ja',
  'oui',
  'si',
]);
const NO_WORDS = new Set(['no', 'n', 'nope', 'nah', 'false', 'nein', 'non']);

/** Rating buttons: the value is the score saved (stars 1..5; thumbs up 1, down 0). */
const STARS: Option[] = [1, 2, 3, 4, 5].map((n) => ({ label: `${n} ★`, value: String(n) }));
const THUMBS: Option[] = [
  { label: '👍', value: '1' },
  { label: '👎', value: '0' },
];
const THUMB_WORDS: Record<string, string> = { up: '1', down: '0', yes: '1', no: '0', '+1': '1' };

/** The buttons a question offers (yes/no questions get Yes/No unless overridden). */
export function questionOptions(node: AskQuestion): Option[] {
  if (node.input.kind === 'buttons' || node.input.kind === 'multiple_choice')
    return node.input.options;
  if (node.input.kind === 'rating') return node.input.scale === 'thumbs' ? THUMBS : STARS;
  if (node.input.kind === 'yes_no') {
    const custom = node.input.options ?? [];
    return [
      custom.find((o) => o.value === 'yes') ?? { label: 'Yes', value: 'yes' },
      custom.find((o) => o.value === 'no') ?? { label: 'No', value: 'no' },
    ];
  }
  return [];
}

export function validateAnswer(
  node: AskQuestion,
  text: string,
  choiceValue: string | undefined,
  now: number,
  timezone: string | undefined,
): Answer {
  const typed = text.trim();
  switch (node.input.kind) {
    case 'buttons': {
      const option = pickOption(questionOptions(node), typed, choiceValue);
      if (option) return { valid: true, value: option.value, option };
      if (node.input.allowFreeText && typed !== '') return { valid: true, value: typed };
      return { valid: false, reason: 'not_an_option' };
    }
    case 'yes_no': {
      const options = questionOptions(node);
      const option =
        pickOption(options, typed, choiceValue) ?? yesNoFromWords(options, typed.toLowerCase());
      if (!option) return { valid: false, reason: 'not_yes_or_no' };
      return { valid: true, value: option.value === 'yes', option };
    }
    case 'multiple_choice':
      return pickMany(node.input, typed);
    case 'rating': {
      const options = questionOptions(node);
      const word = typed.toLowerCase().replace(/\s*(stars?|★)$/u, '');
      const option =
        pickOption(options, typed, choiceValue) ??
        options.find((o) => o.value === (THUMB_WORDS[word] ?? word) && word !== '');
      if (!option) return { valid: false, reason: 'not_a_rating' };
      return { valid: true, value: Number(option.value), option };
    }
    case 'date': {
      const answer = validateKind('date', typed, now, timezone);
      // ISO dates compare as text.
      const { min, max } = node.input;
      const value = answer.valid ? String(answer.value) : '';
      if (answer.valid && ((min && value < min) || (max && value > max)))
        return { valid: false, reason: 'date_out_of_range' };
      return answer;
    }
    default:
      return validateKind(node.input.kind, typed, now, timezone);
  }
}

/** Validates typed text as one input kind (questions and capture-form fields alike). */
export function validateKind(
  kind: string,
  typed: string,
  now: number,
  timezone: string | undefined,
): Answer {
  switch (kind) {
    case 'email':
      return EMAIL.test(typed) && typed.length <= 254
        ? { valid: true, value: typed.toLowerCase() }
        : { valid: false, reason: 'invalid_email' };
    case 'phone': {
      const compact = typed.replace(/[\s().-]/g, '');
      return PHONE.test(compact)
        ? { valid: true, value: compact }
        : { valid: false, reason: 'invalid_phone' };
    }
    case 'number': {
      const value = parseNumber(typed);
      return value === undefined
        ? { valid: false, reason: 'invalid_number' }
        : { valid: true, value };
    }
    case 'date': {
      const value = parseDate(typed, now, timezone);
      if (value === undefined) return { valid: false, reason: 'invalid_date' };
      return { valid: true, value };
    }
    case 'url': {
      const value = parseUrl(typed);
      return value === undefined ? { valid: false, reason: 'invalid_url' } : { valid: true, value };
    }
    default:
      return typed === '' ? { valid: false, reason: 'empty' } : { valid: true, value: typed };
  }
}

type MultipleChoice = Extract<AskQuestion['input'], { kind: 'multiple_choice' }>;

/**
 * Checkbox answers arrive as one text: the picked labels (or values), comma-separated. Every
 * part must name an option; the saved list keeps option order, without repeats.
 */
function pickMany(input: MultipleChoice, typed: string): Answer {
  const parts = typed === '' ? [] : typed.split(',').map((part) => part.trim().toLowerCase());
  const picked = new Set<Option>();
  for (const part of parts) {
    const option = input.options.find(
      (o) => o.label.toLowerCase() === part || o.value.toLowerCase() === part,
    );
    if (!option) return { valid: false, reason: 'not_an_option' };
    picked.add(option);
  }
  const min = input.min ?? 1;
  const max = input.max ?? input.options.length;
  if (picked.size < min || picked.size > max) return { valid: false, reason: 'wrong_count' };
  return { valid: true, value: input.options.filter((o) => picked.has(o)).map((o) => o.value) };
}

/** A picked button value, or typed text equal to a label or value (case-insensitive). */
function pickOption(options: Option[], typed: string, choiceValue: string | undefined) {
  if (choiceValue !== undefined) {
    const exact = options.find((o) => o.value === choiceValue);
    if (exact) return exact;
  }
  const lower = typed.toLowerCase();
  if (lower === '') return undefined;
  return options.find((o) => o.label.toLowerCase() === lower || o.value.toLowerCase() === lower);
}

function yesNoFromWords(options: Option[], word: string): Option | undefined {
  const yes = YES_WORDS.has(word) || toBoolean(word) === true;
  const no = NO_WORDS.has(word) || toBoolean(word) === false;
  if (yes === no) return undefined;
  return options.find((o) => o.value === (yes ? 'yes' : 'no'));
}

/** "42", "-3.5", "1,5" (decimal comma), "1 000", "1,000.50". */
function parseNumber(text: string): number | undefined {
  let compact = text.replace(/[\s_]/g, '');
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(compact)) compact = compact.replace(/,/g, '');
  else if (/^-?\d+,\d+$/.test(compact)) compact = compact.replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(compact)) return undefined;
  const value = Number(compact);
  return Number.isFinite(value) ? value : undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO (2026-12-25), European (25.12.2026, 25/12/2026), today/tomorrow -> YYYY-MM-DD. */
function parseDate(text: string, now: number, timezone: string | undefined): string | undefined {
  const lower = text.toLowerCase();
  if (lower === 'today' || lower === 'tomorrow') {
    const offset = lower === 'tomorrow' ? 86_400_000 : 0;
    return localTime(now + offset, timezone).date;
  }
  let match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(text);
  let parts: [number, number, number] | undefined;
  if (match) parts = [Number(match[1]), Number(match[2]), Number(match[3])];
  match = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(text);
  if (match) parts = [Number(match[3]), Number(match[2]), Number(match[1])];
  if (!parts) return undefined;
  const [year, month, day] = parts;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  )
    return undefined;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** http(s) URLs; a bare domain ("shop.example/x") gets https://. */
function parseUrl(text: string): string | undefined {
  if (text === '' || /\s/.test(text)) return undefined;
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(candidate);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (!url.hostname.includes('.') && url.hostname !== 'localhost') return undefined;
    return url.href;
  } catch {
    return undefined;
  }
}
