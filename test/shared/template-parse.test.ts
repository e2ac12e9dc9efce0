/**
 * Templates are parsed once per text (shared/expr/template.ts): the parsed render must give
 * exactly what a regex replace over the text gives (the way it rendered before), for any text,
 * data and budget; and the table of parsed texts stays bounded whatever a flow author writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toText } from '../../shared/expr/coerce.ts';
import { type RenderBudget, renderBudget, sizeWithin, spend } from '../../shared/expr/size.ts';
import {
  PARSED_SLOTS,
  PARSED_TEXT_CHARS,
  PARSED_TEXTS,
  PARSED_WEIGHT,
  parsedCounts,
  readPath,
  renderJsonText,
  renderTemplate,
  SPLIT_PATH_CHARS,
  SPLIT_PATHS,
} from '../../shared/expr/template.ts';

/** The renderer as it was: one regex replace per render, the path read with `readPath`. */
const TEMPLATE = /\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*"((?:[^"\\]|\\.)*)"\s*)?\}\}/g;
function reference(
  text: string,
  data: Record<string, unknown>,
  encode: (value: string) => string,
  budget: RenderBudget,
): string {
  if (!text.includes('{{')) return spend(budget, text.length) ? text : '';
  let left = budget.left;
  let over = false;
  const out = text.replace(TEMPLATE, (_m, path: string, fallback?: string) => {
    if (over) return '';
    const raw = readPath(data, path);
    const value =
      typeof raw === 'string'
        ? raw.length <= left
          ? raw
          : null
        : raw !== null && typeof raw === 'object' && sizeWithin(raw, left) === null
          ? null
          : toText(raw);
    if (value === null) {
      over = true;
      return '';
    }
    const shown =
      value !== '' ? value : fallback === undefined ? '' : fallback.replace(/\\(.)/g, '$1');
    const encoded = shown === '' ? '' : encode(shown);
    left -= encoded.length;
    if (left < 0) over = true;
    return over ? '' : encoded;
  });
  if (over) {
    spend(budget, null);
    return '';
  }
  return spend(budget, out.length) ? out : '';
}

const piece = fc.constantFrom(
  'Hi ',
  '{{',
  '}}',
  '{{ variable.a }}',
  '{{variable.b | "x\\"y"}}',
  '{{contact.name|"there"}}',
  '{{variable..a}}',
  '{{variable.a.}}',
  '{{variable.list}}',
  '{{variable.obj.k}}',
  '{{variable.__proto__}}',
  '{{constructor.name}}',
  '{{ 1bad }}',
  '| "z"',
  '\\',
  'é😀',
);
const data = fc.record({
  variable: fc.record({
    a: fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(''), fc.constant(null)),
    b: fc.oneof(fc.string({ maxLength: 30 }), fc.boolean()),
    list: fc.array(fc.string({ maxLength: 8 }), { maxLength: 6 }),
    obj: fc.record({ k: fc.string({ maxLength: 5 }) }),
  }),
  contact: fc.record({ name: fc.oneof(fc.constant(''), fc.string({ maxLength: 10 })) }),
});
const jsonString = (value: string) => JSON.stringify(value).slice(1, -1);

describe('parsed templates', () => {
  it('render exactly what the regex replace rendered, budget included', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')),
        data,
        fc.integer({ min: 0, max: 80 }),
        fc.boolean(),
        (text, values, limit, json) => {
          const ours = renderBudget(limit);
          const theirs = renderBudget(limit);
          const rendered = json
            ? renderJsonText(text, values, ours)
            : renderTemplate(text, values, ours);
          const expected = reference(text, values, json ? jsonString : (v) => v, theirs);
          expect(rendered).toBe(expected);
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it(`keeps at most ${PARSED_TEXTS} parsed texts, and none longer than ${PARSED_TEXT_CHARS} characters`, () => {
    // A flow author's worst case: every render a text never seen before.
    for (let i = 0; i < PARSED_TEXTS * 3; i++) {
      expect(renderTemplate(`Hi {{variable.n}} #${i}`, { variable: { n: i } })).toBe(
        `Hi ${i} #${i}`,
      );
      expect(parsedCounts().texts).toBeLessThanOrEqual(PARSED_TEXTS);
    }
    const before = parsedCounts().texts;
    const long = `{{variable.n}}${'x'.repeat(PARSED_TEXT_CHARS)}`;
    expect(renderTemplate(long, { variable: { n: 1 } })).toBe(`1${'x'.repeat(PARSED_TEXT_CHARS)}`);
    expect(parsedCounts().texts).toBe(before);
  });

  it(`keeps at most ${SPLIT_PATHS} split paths, and none longer than ${SPLIT_PATH_CHARS} characters`, () => {
    for (let i = 0; i < SPLIT_PATHS * 3; i++) {
      expect(readPath({ variable: { [`k${i}`]: i } }, `variable.k${i}`)).toBe(i);
      expect(parsedCounts().paths).toBeLessThanOrEqual(SPLIT_PATHS);
    }
    const before = parsedCounts().paths;
    const key = 'k'.repeat(SPLIT_PATH_CHARS);
    expect(readPath({ variable: { [key]: 1 } }, `variable.${key}`)).toBe(1);
    expect(parsedCounts().paths).toBe(before);
  });

  it(`holds at most ${PARSED_WEIGHT} weight of parsed texts, and no text with over ${PARSED_SLOTS} slots`, () => {
    // The heaviest texts a flow author can have kept: as long as allowed, as many slots as
    // allowed (each slot an object), every one new.
    const slot = '{{v.a}}';
    const heavy = (i: number) => {
      const head = `${i}:${slot.repeat(PARSED_SLOTS)}`;
      return head + 'x'.repeat(PARSED_TEXT_CHARS - head.length);
    };
    for (let i = 0; i < 2_000; i++) {
      expect(renderTemplate(heavy(i), { v: { a: 'y' } })).toContain('yy');
      expect(parsedCounts().weight).toBeLessThanOrEqual(PARSED_WEIGHT);
    }
    // A text of slots only (the densest) is parsed on each render, never kept.
    const before = parsedCounts();
    const dense = slot.repeat(PARSED_SLOTS + 1);
    expect(renderTemplate(dense, { v: { a: 'y' } })).toBe('y'.repeat(PARSED_SLOTS + 1));
    expect(parsedCounts()).toEqual(before);
  });
});
