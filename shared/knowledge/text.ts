/** Small text helpers for knowledge retrieval: English stop words and sentence splitting. */

// Function words carry no topic: they must not make an unrelated passage look relevant.
export const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being
  below between both but by can could did do does doing down during each few for from further had
  has have having he her here hers herself him himself his how i if in into is it its itself just
  me more most my myself no nor not now of off on once only or other our ours ourselves out over
  own same she should so some such than that the their theirs them themselves then there these
  they this those through to too under until up very was we were what when where which while who
  whom why will with would you your yours yourself yourselves please tell know want need get
  let us can't don't i'm i'd i've hi hello hey thanks thank`.split(/\s+/),
);

/** Anything but printable ASCII, tab and line breaks (such text is its own NFKD, without marks). */
const NOT_PLAIN = /[^ -~\t\n\r]/;

/** Lower-case words, accents dropped (ASCII text skips the normalisation: it is its own NFKD). */
export const tokenizeWords = (text: string): string[] =>
  (NOT_PLAIN.test(text) ? text.normalize('NFKD').replace(/\p{M}/gu, '') : text)
    .toLowerCase()
    .match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];

export const contentTerms = (text: string): string[] => [
  ...new Set(tokenizeWords(text).filter((word) => !STOP_WORDS.has(word))),
];

/** Splits prose into sentences (keeps list items and headings as their own lines). */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+(?=[\p{Lu}\p{N}"'(])/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}
