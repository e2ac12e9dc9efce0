/**
 * fast-check arbitraries from the JSON Schemas of an OpenAPI 3.1 document: values that satisfy
 * the schema's types, enums, consts, lengths, patterns, bounds, required properties and
 * `additionalProperties` (the subset zod's JSON Schema output uses). `$ref`s to
 * `#/components/schemas/…` are followed; recursion (FlowCondition) stops at a depth by taking
 * the alternatives that do not recurse. Schema-conforming input reaches the handlers' deeper
 * checks, where a fuzzer of random JSON is turned away by the first validator.
 */
import fc from 'fast-check';

export type JsonSchema = Record<string, unknown>;
type Arb = fc.Arbitrary<unknown>;

const MAX_DEPTH = 6;
const MAX_ITEMS = 3;

export function schemaArbitrary(schema: JsonSchema, components: Record<string, JsonSchema>): Arb {
  const resolve = (ref: string): JsonSchema => {
    const name = ref.replace('#/components/schemas/', '');
    const target = components[name];
    if (!target) throw new Error(`unresolvable $ref ${ref}`);
    return target;
  };

  /** Whether the schema (shallowly, through allOf/anyOf/oneOf/items) refers to a component. */
  const recurses = (s: JsonSchema): boolean => JSON.stringify(s).includes('"$ref"');

  const string = (s: JsonSchema): Arb => {
    const min = typeof s.minLength === 'number' ? s.minLength : 0;
    const max = Math.min(typeof s.maxLength === 'number' ? s.maxLength : 40, min + 40);
    const fits = (v: string) =>
      v.length >= min && v.length <= ((s.maxLength as number) ?? Infinity);
    switch (s.format) {
      case 'email':
        return fc.emailAddress().filter(fits);
      case 'uri':
        return fc.webUrl().filter(fits);
      case 'date':
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      case 'date-time':
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
    }
    if (typeof s.pattern === 'string') {
      try {
        return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
      } catch {
        // A pattern fast-check cannot generate from: plain strings (mostly refused, still useful).
      }
    }
    return fc.string({ minLength: min, maxLength: max });
  };

  const number = (s: JsonSchema, integer: boolean): Arb => {
    const min = typeof s.minimum === 'number' ? s.minimum : -1_000_000;
    const max = typeof s.maximum === 'number' ? s.maximum : 1_000_000;
    return integer
      ? fc.integer({ min: Math.ceil(min), max: Math.floor(Math.min(max, 2 ** 31)) })
      : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  };

  const object = (s: JsonSchema, depth: number): Arb => {
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((s.required ?? []) as string[]);
    const names = Object.keys(properties);
    if (
      names.length === 0 &&
      s.additionalProperties &&
      typeof s.additionalProperties === 'object'
    ) {
      const key = s.propertyNames
        ? go(s.propertyNames as JsonSchema, depth + 1)
        : fc.string({ maxLength: 12 });
      return fc.dictionary(
        key as fc.Arbitrary<string>,
        go(s.additionalProperties as JsonSchema, depth + 1),
        {
          maxKeys: MAX_ITEMS,
        },
      );
    }
    // Deep in a recursion, optional properties are left out so generation ends.
    const kept = names.filter((n) => required.has(n) || depth < MAX_DEPTH - 2);
    const shape = Object.fromEntries(
      kept.map((n) => [n, go(properties[n] as JsonSchema, depth + 1)]),
    );
    return fc.record(shape, { requiredKeys: kept.filter((n) => required.has(n)) });
  };

  const go = (s: JsonSchema, depth: number): Arb => {
    if (typeof s.$ref === 'string') return go(resolve(s.$ref), depth + 1);
    if ('const' in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
    const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
    if (alternatives) {
      const usable = depth >= MAX_DEPTH ? alternatives.filter((a) => !recurses(a)) : alternatives;
      return fc.oneof(...(usable.length > 0 ? usable : alternatives).map((a) => go(a, depth + 1)));
    }
    if (Array.isArray(s.allOf)) {
      const parts = s.allOf as JsonSchema[];
      const merged: JsonSchema = { type: 'object', properties: {}, required: [] };
      for (const part of parts.map((p) => (typeof p.$ref === 'string' ? resolve(p.$ref) : p))) {
        Object.assign(merged.properties as object, part.properties ?? {});
        (merged.required as string[]).push(...((part.required ?? []) as string[]));
      }
      return object(merged, depth);
    }
    if (Array.isArray(s.type))
      return fc.oneof(...(s.type as string[]).map((type) => go({ ...s, type }, depth)));
    switch (s.type) {
      case 'string':
        return string(s);
      case 'integer':
        return number(s, true);
      case 'number':
        return number(s, false);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const min = typeof s.minItems === 'number' ? s.minItems : 0;
        const max = Math.max(
          min,
          Math.min(
            typeof s.maxItems === 'number' ? s.maxItems : MAX_ITEMS,
            depth >= MAX_DEPTH - 2 ? min : MAX_ITEMS,
          ),
        );
        return fc.array(go((s.items ?? {}) as JsonSchema, depth + 1), {
          minLength: min,
          maxLength: max,
        });
      }
      case 'object':
        return object(s, depth);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };

  return go(schema, 0);
}
