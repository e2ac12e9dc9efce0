/** Issue 19: the post node and the richer question inputs (multiple choice, rating, date range). */
import { Validator } from '@cfworker/json-schema';
import { describe, expect, it } from 'vitest';
import { simulateFlow } from '../../shared/engine/simulate.ts';
import type { Effect } from '../../shared/engine/types.ts';
import { flowJsonSchema } from '../../shared/flow/json-schema.ts';
import { validateFlow } from '../../shared/flow/validate.ts';
import { input, makeFlow, play, say } from './engine-test-helpers.ts';

const doc = (nodes: unknown[], extra: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  name: 'T',
  pilotId: 'p1',
  trigger: { type: 'new_conversation' },
  start: (nodes[0] as { id: string }).id,
  nodes,
  ...extra,
});
const issues = (flow: unknown) => {
  const result = validateFlow(flow);
  return {
    errors: result.errors.map((i) => [i.code, i.path]),
    warnings: result.warnings.map((i) => [i.code, i.path]),
  };
};
const said = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { type: 'say' }> => e.type === 'say');

const largePost = {
  id: 'news',
  type: 'post',
  size: 'large',
  title: 'Winter sale',
  text: 'Everything is 20% off until Sunday, {{contact.name}}.',
  imageUrl: 'https://shop.example/sale.png',
  cta: { label: 'Shop now', url: 'https://shop.example/sale' },
  delivery: 'snippet',
  next: 'after',
};

describe('post node', () => {
  it('says a large snippet post with its title as preview, https image and call to action', () => {
    const flow = makeFlow([largePost, say('after', 'Anything else?')]);
    const played = play(flow, [], { data: { contact: { name: 'Ada' } } });
    expect(said(played.effects)[0]).toEqual({
      type: 'say',
      nodeId: 'news',
      text: 'Everything is 20% off until Sunday, Ada.',
      post: { size: 'large', title: 'Winter sale', preview: 'Winter sale' },
      image: { url: 'https://shop.example/sale.png', alt: '' },
      links: [{ label: 'Shop now', url: 'https://shop.example/sale' }],
    });
    // No response asked: the run goes on at once.
    expect(played.says).toEqual(['Everything is 20% off until Sunday, Ada.', 'Anything else?']);
    expect(played.state.status).toBe('completed');
  });

  it('a small snippet post previews its text, cut to 80 characters', () => {
    const text = 'x'.repeat(200);
    const flow = makeFlow([{ id: 'p', type: 'post', text, delivery: 'snippet' }]);
    const post = said(play(flow).effects)[0]?.post;
    expect(post?.size).toBe('small');
    expect(post?.preview).toHaveLength(80);
    expect(post?.preview?.endsWith('…')).toBe(true);
  });

  it('drops an image whose template renders to something other than https', () => {
    const flow = makeFlow([
      { ...largePost, imageUrl: 'https://{{variable.host}}', delivery: 'full' },
    ]);
    const first = said(play(flow).effects)[0];
    expect(first?.post).toEqual({ size: 'large', title: 'Winter sale' });
    // "https://" with an empty host is not a URL the messenger may load.
    expect(first?.image).toBeUndefined();
  });

  it('a reaction post waits, offers its emojis and saves the picked one like an answer', () => {
    const flow = makeFlow(
      [
        {
          id: 'p',
          type: 'post',
          text: 'We shipped dark mode!',
          response: { type: 'reaction', reactions: ['🔥', '👎'], saveTo: 'variable.reaction' },
          next: 'thanks',
        },
        say('thanks', 'Thanks for {{variable.reaction}}'),
      ],
      { variables: [{ name: 'reaction', type: 'text' }] },
    );
    const waiting = play(flow);
    expect(waiting.state).toMatchObject({ status: 'waiting', nodeId: 'p', waitingFor: 'input' });
    expect(said(waiting.effects)[0]?.choices).toEqual([
      { label: '🔥', value: '🔥' },
      { label: '👎', value: '👎' },
    ]);
    const answered = play(flow, [input('🔥', '🔥')]);
    expect(answered.state.variables.reaction).toBe('🔥');
    expect(answered.says.at(-1)).toBe('Thanks for 🔥');
    expect(answered.log.find((l) => l.nodeId === 'p' && l.status === 'completed')).toMatchObject({
      nodeType: 'post',
      choice: '🔥',
    });
  });

  it('a reaction post moves on unsaved when the visitor types something else', () => {
    const flow = makeFlow(
      [
        {
          id: 'p',
          type: 'post',
          text: 'New!',
          response: { type: 'reaction', saveTo: 'variable.reaction' },
          next: 'after',
        },
        say('after', 'ok'),
      ],
      { variables: [{ name: 'reaction', type: 'text' }] },
    );
    const played = play(flow, [input('what is this?')]);
    expect(played.state.status).toBe('completed');
    expect(played.state.variables.reaction).toBeUndefined();
    expect(said(played.effects)[0]?.choices?.map((c) => c.label)).toEqual(['👍', '❤️', '😂', '😮']);
  });

  it('a text-response post saves the reply into a contact field', () => {
    const flow = makeFlow([
      {
        id: 'p',
        type: 'post',
        text: 'Tell us what you think',
        response: { type: 'text', saveTo: 'contact.feedback' },
      },
    ]);
    const played = play(flow, [input('Love it')]);
    expect(played.effects.find((e) => e.type === 'update_contact')).toMatchObject({
      fields: { feedback: 'Love it' },
    });
  });

  it('simulate shows the post, its preview and image in the transcript', () => {
    const flow = makeFlow([largePost, say('after', 'Anything else?')]);
    const result = simulateFlow(flow, { events: [{ type: 'new_conversation' }] });
    expect(result.transcript[0]).toMatchObject({
      author: 'pilot',
      nodeId: 'news',
      post: { size: 'large', title: 'Winter sale', preview: 'Winter sale' },
      image: { url: 'https://shop.example/sale.png' },
      links: [{ label: 'Shop now' }],
    });
  });

  it('the validator names every bad post field', () => {
    expect(
      issues(
        doc([
          {
            id: 'p',
            type: 'post',
            size: 'large',
            text: 'x',
            imageUrl: 'http://insecure.example/a.png',
            cta: { label: '', url: 'javascript:alert(1)' },
            delivery: 'teaser',
            response: { type: 'reaction', reactions: ['ok', '👍'] },
          },
        ]),
      ).errors,
    ).toEqual([
      ['invalid_format', 'nodes.0.imageUrl'],
      ['too_small', 'nodes.0.cta.label'],
      ['invalid_format', 'nodes.0.cta.url'],
      ['invalid_value', 'nodes.0.delivery'],
      ['invalid_format', 'nodes.0.response.reactions.0'],
    ]);
    expect(
      issues(
        doc([
          {
            id: 'small',
            type: 'post',
            text: 'x',
            title: 'T',
            cta: { label: 'a', url: 'https://a.b' },
            next: 'large',
          },
          {
            id: 'large',
            type: 'post',
            size: 'large',
            text: 'y',
            response: { type: 'reaction', reactions: ['👍', '👍'], saveTo: 'variable.nope' },
          },
        ]),
      ).errors,
    ).toEqual([
      ['large_post_only', 'nodes.0.title'],
      ['large_post_only', 'nodes.0.cta'],
      ['missing_title', 'nodes.1.title'],
      ['duplicate_option', 'nodes.1.response.reactions.1'],
      ['unknown_variable', 'nodes.1.response.saveTo'],
    ]);
  });

  it('bounds reactions and post text', () => {
    const tooMany = Array.from({ length: 9 }, () => '👍');
    const { errors } = issues(
      doc([
        {
          id: 'p',
          type: 'post',
          text: 'x'.repeat(4001),
          response: { type: 'reaction', reactions: tooMany },
        },
      ]),
    );
    expect(errors).toEqual([
      ['too_big', 'nodes.0.text'],
      ['too_big', 'nodes.0.response.reactions'],
    ]);
  });

  it('a loop through a post that waits for a response is not a cycle without wait', () => {
    const loop = (response: unknown) =>
      issues(
        doc(
          [
            { id: 'a', type: 'post', text: 'x', response, next: 'b' },
            {
              id: 'b',
              type: 'set_variable',
              assignments: [{ target: 'variable.n', op: 'increment' }],
              next: 'a',
            },
          ],
          { variables: [{ name: 'n', type: 'number' }] },
        ),
      ).errors.map(([code]) => code);
    expect(loop({ type: 'none' })).toContain('cycle_without_wait');
    expect(loop({ type: 'text' })).not.toContain('cycle_without_wait');
  });

  it('is in the served JSON Schema, which a standard validator applies like the zod schema', () => {
    const validator = new Validator(flowJsonSchema() as never, '2020-12', false);
    const flow = (reactions: string[], imageUrl: string) =>
      doc([
        { ...largePost, imageUrl, response: { type: 'reaction', reactions } },
        {
          id: 'after',
          type: 'ask_question',
          text: '?',
          input: { kind: 'rating', scale: 'thumbs' },
        },
      ]);
    expect(
      validator.validate(flow(['👍', '❤️', '👍🏽', '👨‍👩‍👧'], largePost.imageUrl)).errors,
    ).toEqual([]);
    expect(issues(flow(['👍', '❤️', '👍🏽', '👨‍👩‍👧'], largePost.imageUrl)).errors).toEqual([]);
    expect(validator.validate(flow(['👍', 'ok'], largePost.imageUrl)).valid).toBe(false);
    expect(validator.validate(flow(['👍', '👎'], 'http://a.example/x.png')).valid).toBe(false);
  });
});

const ask = (inputSpec: Record<string, unknown>, type = 'text') =>
  makeFlow(
    [
      {
        id: 'q',
        type: 'ask_question',
        text: 'Your answer?',
        input: inputSpec,
        saveTo: 'variable.answer',
        retries: 1,
        next: 'ok',
        onInvalid: 'bad',
      },
      say('ok', 'Saved'),
      say('bad', 'Giving up'),
    ],
    { variables: [{ name: 'answer', type }] },
  );

const colours = {
  kind: 'multiple_choice',
  options: [
    { label: 'Red', value: 'red' },
    { label: 'Green', value: 'green' },
    { label: 'Blue', value: 'blue' },
  ],
};

describe('multiple choice input', () => {
  it('offers its options and saves the picked ones as a list, in option order', () => {
    const flow = ask(colours, 'list');
    expect(said(play(flow).effects)[0]).toMatchObject({
      input: 'multiple_choice',
      choices: [
        { label: 'Red', value: 'red' },
        { label: 'Green', value: 'green' },
        { label: 'Blue', value: 'blue' },
      ],
    });
    const played = play(flow, [input('Blue, red, BLUE')]);
    expect(played.state.variables.answer).toEqual(['red', 'blue']);
    expect(played.says.at(-1)).toBe('Saved');
  });

  it('re-asks an answer naming no option or the wrong number of them', () => {
    const flow = ask({ ...colours, min: 1, max: 2 }, 'list');
    expect(play(flow, [input('Red, Purple')]).says.at(-2)).toBe('Please pick one of the options.');
    expect(play(flow, [input('red, green, blue')]).says.at(-2)).toBe(
      'Please pick the number of options asked for.',
    );
    expect(play(flow, [input('red, green, blue'), input('green')]).state.variables.answer).toEqual([
      'green',
    ]);
  });

  it('the validator names bad options and ranges', () => {
    expect(
      issues(
        doc(
          [
            {
              id: 'q',
              type: 'ask_question',
              text: '?',
              input: {
                kind: 'multiple_choice',
                options: [
                  { label: 'A, B', value: 'a', next: 'q' },
                  { label: 'C', value: 'c' },
                ],
              },
            },
          ],
          {},
        ),
      ).errors,
    ).toEqual([
      ['invalid_format', 'nodes.0.input.options.0.label'],
      ['unknown_port', 'nodes.0.input.options.0'],
    ]);
    const range = (min: number, max: number) =>
      issues(
        doc([
          { id: 'q', type: 'ask_question', text: '?', input: { ...colours, min, max }, next: 'q' },
        ]),
      ).errors;
    expect(range(3, 4)).toEqual([['bad_range', 'nodes.0.input.max']]);
    expect(range(3, 2)).toEqual([['bad_range', 'nodes.0.input.min']]);
    const many = issues(
      doc([
        {
          id: 'q',
          type: 'ask_question',
          text: '?',
          input: {
            kind: 'multiple_choice',
            options: Array.from({ length: 21 }, (_, i) => ({ label: `o${i}`, value: `o${i}` })),
          },
        },
      ]),
    ).errors;
    expect(many).toEqual([['too_big', 'nodes.0.input.options']]);
  });
});

describe('rating input', () => {
  it('offers five stars and saves the score as a number, logged for insights', () => {
    const flow = ask({ kind: 'rating' }, 'number');
    expect(said(play(flow).effects)[0]?.choices?.map((c) => c.value)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    const played = play(flow, [input('4 ★', '4')]);
    expect(played.state.variables.answer).toBe(4);
    expect(played.log.find((l) => l.nodeId === 'q' && l.status === 'completed')).toMatchObject({
      choice: '4',
      rating: 4,
    });
  });

  it.each([
    ['5', 5],
    ['3 stars', 3],
  ])('accepts a typed star rating %j', (text, score) => {
    expect(play(ask({ kind: 'rating' }, 'number'), [input(text)]).state.variables.answer).toBe(
      score,
    );
  });

  it('thumbs save 1 for up and 0 for down, by button or by word', () => {
    const flow = ask({ kind: 'rating', scale: 'thumbs' }, 'number');
    expect(play(flow, [input('👎', '0')]).state.variables.answer).toBe(0);
    expect(play(flow, [input('up')]).state.variables.answer).toBe(1);
    expect(play(flow, [input('👍', '1')]).log.at(-2)).toMatchObject({ rating: 1 });
  });

  it('re-asks a score outside the scale', () => {
    const played = play(ask({ kind: 'rating' }, 'number'), [input('7')]);
    expect(played.says.at(-2)).toBe('Please pick a rating.');
    expect(played.state.status).toBe('waiting');
  });

  it('simulate picks a star by its value', () => {
    const result = simulateFlow(ask({ kind: 'rating' }, 'number'), {
      events: [{ type: 'new_conversation' }, { type: 'choice', value: '5' }],
    });
    expect(result.transcript.map((l) => l.text)).toEqual(['Your answer?', '5 ★', 'Saved']);
    expect(result.variables.answer).toBe(5);
    expect(result.log.find((l) => l.nodeId === 'q' && l.status === 'completed')).toMatchObject({
      rating: 5,
    });
  });

  it('the validator names a bad scale', () => {
    expect(
      issues(
        doc([
          { id: 'q', type: 'ask_question', text: '?', input: { kind: 'rating', scale: 'hearts' } },
        ]),
      ).errors,
    ).toEqual([['invalid_value', 'nodes.0.input.scale']]);
  });
});

describe('date input range', () => {
  it('accepts a date within min..max and re-asks one outside it', () => {
    const flow = ask({ kind: 'date', min: '2026-12-01', max: '2026-12-31' });
    expect(play(flow, [input('2026-12-24')]).state.variables.answer).toBe('2026-12-24');
    const early = play(flow, [input('2026-11-30')]);
    expect(early.says.at(-2)).toBe('Please pick a date in the allowed range.');
    expect(early.state.variables.answer).toBeUndefined();
  });

  it('the validator names a malformed or reversed range', () => {
    const check = (extra: Record<string, unknown>) =>
      issues(
        doc([
          {
            id: 'q',
            type: 'ask_question',
            text: '?',
            input: { kind: 'date', ...extra },
            next: 'q',
          },
        ]),
      ).errors;
    expect(check({ min: '1st of May' })).toEqual([['invalid_format', 'nodes.0.input.min']]);
    expect(check({ min: '2026-12-31', max: '2026-01-01' })).toEqual([
      ['bad_range', 'nodes.0.input.min'],
    ]);
  });
});
