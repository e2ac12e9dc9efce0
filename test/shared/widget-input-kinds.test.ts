import { describe, expect, it } from 'vitest';
import { inputFor, invalidAnswer } from '../../widget/messenger/input-kinds.ts';
import { directionOf, pickLocale, strings } from '../../widget/messenger/strings.ts';

describe('typed answers to ask_question', () => {
  it('offers the native input that fits each kind', () => {
    expect(inputFor('email').type).toBe('email');
    expect(inputFor('phone').type).toBe('tel');
    expect(inputFor('number').type).toBe('number');
    expect(inputFor('date').type).toBe('date');
    expect(inputFor('url').type).toBe('url');
    expect(inputFor('text').type).toBe('text');
    expect(inputFor(undefined).type).toBe('text');
  });

  it('explains what is wrong with an invalid answer and accepts valid ones', () => {
    expect(invalidAnswer('email', 'not-an-email')).toBe('invalid_email');
    expect(invalidAnswer('email', 'ada@example.com')).toBeNull();
    expect(invalidAnswer('phone', 'call me')).toBe('invalid_phone');
    expect(invalidAnswer('phone', '+44 20 7946 0958')).toBeNull();
    expect(invalidAnswer('number', 'twelve')).toBe('invalid_number');
    expect(invalidAnswer('number', '12.5')).toBeNull();
    expect(invalidAnswer('date', '2026-02-30x')).toBe('invalid_date');
    expect(invalidAnswer('date', '2026-02-03')).toBeNull();
    expect(invalidAnswer('url', 'javascript:alert(1)')).toBe('invalid_url');
    expect(invalidAnswer('url', 'https://example.com/a')).toBeNull();
    expect(invalidAnswer('text', 'anything')).toBeNull();
  });

  it('offers an email keyboard for "leave your email" yet lets a question through', () => {
    expect(inputFor('email_offer')).toEqual({
      type: 'text',
      inputMode: 'email',
      autocomplete: 'email',
    });
    expect(invalidAnswer('email_offer', 'how much is shipping?')).toBeNull();
  });
});

describe('messenger strings', () => {
  it('has every string in every locale, and falls back to the language or English', () => {
    const keys = Object.keys(strings.en!).sort();
    for (const table of Object.values(strings)) expect(Object.keys(table).sort()).toEqual(keys);
    expect(pickLocale('fr-CA')).toBe('fr');
    expect(pickLocale('AR')).toBe('ar');
    expect(pickLocale('xx')).toBe('en');
    expect(pickLocale(null)).toBe('en');
  });

  it('lays Arabic out right to left', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('fr')).toBe('ltr');
  });
});

describe('links and redirects from flows', () => {
  it('follows only http(s) URLs, never javascript: or data:', async () => {
    const { safeUrl } = await import('../../widget/messenger/message-view.ts');
    const base = 'https://shop.example/page';
    expect(safeUrl('/thanks', base)).toBe('https://shop.example/thanks');
    expect(safeUrl('https://other.example/a?b=1', base)).toBe('https://other.example/a?b=1');
    expect(safeUrl('javascript:alert(1)', base)).toBeNull();
    expect(safeUrl(' JaVaScRiPt:alert(1)', base)).toBeNull();
    expect(safeUrl('data:text/html,<script>alert(1)</script>', base)).toBeNull();
    expect(safeUrl('vbscript:msgbox(1)', base)).toBeNull();
    expect(safeUrl(undefined, base)).toBeNull();
  });
});
