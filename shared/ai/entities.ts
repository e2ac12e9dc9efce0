/**
 * Entities extracted from visitor messages, available to flows as `entity.<name>`:
 * - list entities: canonical values with synonyms, matched on word boundaries, case-insensitive;
 * - regex entities: admin patterns in RE2 syntax, run in linear time (shared/expr/regex.ts) so no
 *   pattern can make a visitor message slow; patterns RE2 cannot compile are refused at save;
 * - system entities (always on): email, url (linkifyjs), phone (libphonenumber-js), datetime
 *   (chrono-node, ISO 8601 value), number.
 */
import * as chrono from 'chrono-node';
import { findPhoneNumbersInText } from 'libphonenumber-js';
import { find as findLinks } from 'linkifyjs';
import { RE2JS } from 're2js';
import { z } from 'zod';
import { compilePattern, MAX_SUBJECT_LENGTH } from '../expr/regex.ts';
import type { EntityMatch } from './intent-detector.ts';
import { tokenize } from './text-features.ts';

export const SYSTEM_ENTITIES = ['email', 'phone', 'number', 'datetime', 'url'] as const;
export type SystemEntity = (typeof SYSTEM_ENTITIES)[number];

const entityName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits, underscores; not starting with a digit')
  .refine((name) => !(SYSTEM_ENTITIES as readonly string[]).includes(name), {
    message: `reserved for a system entity (${SYSTEM_ENTITIES.join(', ')})`,
  });

const ENTITY_FLAGS = RE2JS.CASE_INSENSITIVE;

/**
 * Why RE2 cannot compile a pattern (lookarounds, backreferences, bad syntax), or null: regex
 * entities run on every visitor message, so they use the same linear-time engine as flow regexes.
 */
export function patternProblem(pattern: string): string | null {
  const check = compilePattern(pattern, ENTITY_FLAGS);
  return check.ok ? null : check.reason;
}

export const entityDefinitionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('list'),
    name: entityName,
    values: z
      .array(
        z.object({
          value: z.string().min(1).max(200),
          synonyms: z.array(z.string().min(1).max(200)).max(100).default([]),
        }),
      )
      .min(1)
      .max(1000),
  }),
  z.object({
    kind: z.literal('regex'),
    name: entityName,
    pattern: z
      .string()
      .min(1)
      .max(500)
      .superRefine((pattern, ctx) => {
        const problem = patternProblem(pattern);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  }),
]);
export type EntityDefinition = z.infer<typeof entityDefinitionSchema>;

/** Compiled extractor over a pilot's entity definitions plus the system entities. */
export class EntityExtractor {
  private readonly lists: { name: string; value: string; tokens: string[] }[] = [];
  private readonly regexes: { name: string; regex: RE2JS }[] = [];

  constructor(definitions: readonly EntityDefinition[] = []) {
    for (const definition of definitions) {
      if (definition.kind === 'list') {
        for (const { value, synonyms } of definition.values) {
          for (const phrase of [value, ...synonyms]) {
            const tokens = tokenize(phrase);
            if (tokens.length > 0) this.lists.push({ name: definition.name, value, tokens });
          }
        }
        // Longest phrases first, so "new york city" wins over "york".
        this.lists.sort((a, b) => b.tokens.length - a.tokens.length);
      } else {
        const check = compilePattern(definition.pattern, ENTITY_FLAGS);
        if (check.ok) this.regexes.push({ name: definition.name, regex: check.regex });
      }
    }
  }

  extract(text: string, now: Date = new Date()): EntityMatch[] {
    const found: EntityMatch[] = [];
    const seen = new Set<string>();
    const add = (match: EntityMatch) => {
      const key = `${match.name}\u0000${match.value}`;
      if (seen.has(key)) return;
      seen.add(key);
      found.push(match);
    };
    const tokens = tokenize(text);
    for (const entry of this.lists) {
      for (let i = 0; i + entry.tokens.length <= tokens.length; i++) {
        if (entry.tokens.every((token, k) => tokens[i + k] === token)) {
          add({ name: entry.name, value: entry.value, text: entry.tokens.join(' ') });
          break;
        }
      }
    }
    const subject = text.length > MAX_SUBJECT_LENGTH ? text.slice(0, MAX_SUBJECT_LENGTH) : text;
    for (const { name, regex } of this.regexes) {
      const matcher = regex.matcher(subject);
      // Each find() moves past the previous match, so there are at most length + 1 of them.
      for (let n = 0; n <= subject.length && matcher.find(); n++) {
        const whole = matcher.group() ?? '';
        const first = matcher.groupCount() > 0 ? matcher.group(1) : null;
        if (whole) add({ name, value: first ?? whole, text: whole });
      }
    }
    for (const match of extractSystemEntities(text, now)) add(match);
    return found;
  }
}

/** System entities only; `now` anchors relative dates ("tomorrow at 3pm"). */
export function extractSystemEntities(text: string, now: Date = new Date()): EntityMatch[] {
  const found: EntityMatch[] = [];
  const covered: [number, number][] = [];
  for (const link of findLinks(text)) {
    if (link.type === 'email') found.push({ name: 'email', value: link.value, text: link.value });
    else if (link.type === 'url') found.push({ name: 'url', value: link.href, text: link.value });
    covered.push([link.start, link.end]);
  }
  for (const phone of findPhoneNumbersInText(text, { defaultCountry: 'US' })) {
    found.push({
      name: 'phone',
      value: phone.number.number,
      text: text.slice(phone.startsAt, phone.endsAt),
    });
    covered.push([phone.startsAt, phone.endsAt]);
  }
  for (const result of chrono.parse(text, now, { forwardDate: true })) {
    found.push({ name: 'datetime', value: result.start.date().toISOString(), text: result.text });
    covered.push([result.index, result.index + result.text.length]);
  }
  // Numbers that are not part of an email, url, phone or date already found.
  // A minus sign only after a space or the start: "SO-98765" holds 98765, not -98765.
  for (const match of text.matchAll(/(?:(?<![\p{L}\p{N}])-)?\d+(?:[.,]\d+)?/gu)) {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    if (covered.some(([a, b]) => start < b && end > a)) continue;
    found.push({ name: 'number', value: match[0].replace(',', '.'), text: match[0] });
  }
  return found;
}
