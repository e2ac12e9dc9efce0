/**
 * An upper bound on the size of the program RE2 compiles a pattern to, read from the pattern's
 * text before compiling it. RE2 matches in time linear in the input, but its program grows with
 * counted repetitions: `[a-z]{1000}` is 1,000 instructions, and 39 of them fit in a 500-character
 * pattern (39,000 instructions, ~20 ms and ~3 MB to compile, each kept by the pattern cache: a
 * hostile review exhausted an isolate's memory with one validate call). RE2 caps a nest of
 * repetitions at 1,000, not a sequence of them.
 *
 * The bound over-counts on purpose (every alternative and group adds; a class or an escape is one
 * instruction, as RE2 matches a class of runes in one; a counted repeat costs its largest count
 * times the repeated part and its branch); it never under-counts, which `regex-size.test.ts` checks against the compiled programs.
 */

/** One group's running size while its text is read. */
interface Frame {
  /** The alternatives closed so far (`a|b|`). */
  alternatives: number;
  /** The current alternative's size. */
  sequence: number;
  /** The size of the last atom, which a quantifier repeats. */
  last: number;
}

const COUNTED = /^\{(\d+)(?:(,)(\d*))?\}/;

/** The upper bound; stops counting (returns `Infinity`) once past `stopAt`. */
export function regexSizeBound(pattern: string, stopAt = Number.POSITIVE_INFINITY): number {
  const stack: Frame[] = [{ alternatives: 0, sequence: 0, last: 0 }];
  const top = () => stack[stack.length - 1] as Frame;
  const atom = (size: number) => {
    const frame = top();
    frame.sequence += size;
    frame.last = size;
  };
  /** The last atom repeated `times` over, each copy with its own branch instructions. */
  const repeat = (times: number) => {
    const frame = top();
    const grown = (frame.last + 2) * times + 2;
    frame.sequence += grown - frame.last;
    frame.last = grown;
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\' && pattern[i + 1] === 'Q') {
      // `\Q…\E` quotes: every character up to `\E` (or the end) is a literal of its own, even
      // `[` or `(` (read as syntax, they once made the rest of a huge pattern count as one).
      const end = pattern.indexOf('\\E', i + 2);
      const stop = end === -1 ? pattern.length : end;
      for (let k = i + 2; k < stop; k++) atom(1);
      i = end === -1 ? pattern.length : end + 2;
    } else if (c === '\\') {
      // An escape is one atom (`\p{Greek}` and `\x{41}` with their braces); a quantifier may follow.
      const braced = /^\\[pPx]\{[^}]*\}/.exec(pattern.slice(i, i + 40));
      i += braced ? braced[0].length : 2;
      atom(1);
    } else if (c === '[') {
      // A class: up to its closing `]` (one written first, or escaped, is a member).
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      atom(1);
      i = j + 1;
    } else if (c === '(') {
      // `(?:`, `(?i)`, `(?P<name>`: the flags or name are skipped; a bare `(?i)` opens nothing.
      let j = i + 1;
      if (pattern[j] === '?') {
        while (j < pattern.length && !':)>'.includes(pattern[j] as string)) j++;
        if (pattern[j] === ')') {
          i = j + 1;
          continue;
        }
        j++;
      }
      stack.push({ alternatives: 0, sequence: 0, last: 0 });
      i = j;
    } else if (c === ')') {
      const frame = stack.length > 1 ? (stack.pop() as Frame) : top();
      atom(frame.alternatives + branch(frame) + 2);
      i++;
    } else if (c === '|') {
      const frame = top();
      frame.alternatives += branch(frame) + 1;
      frame.sequence = 0;
      frame.last = 0;
      i++;
    } else if (c === '*' || c === '+' || c === '?') {
      repeat(1);
      i++;
    } else if (c === '{' && COUNTED.test(pattern.slice(i, i + 24))) {
      const [text, min, comma, max] = COUNTED.exec(pattern.slice(i, i + 24)) as RegExpExecArray;
      // `{n,}` is n copies and a star; `{n,m}` is m copies.
      const times = Math.max(Number(min), comma && max ? Number(max) : 0) + (comma && !max ? 1 : 0);
      repeat(Math.max(times, 1));
      i += text.length;
    } else {
      atom(1);
      i++;
    }
    let open = 0;
    for (const f of stack) open += f.alternatives + f.sequence;
    if (open > stopAt) return Number.POSITIVE_INFINITY;
  }
  let total = 0;
  for (const f of stack) total += f.alternatives + branch(f) + 2;
  return total + 2;
}

/**
 * The current alternative's size, at least one: RE2 compiles an empty one (`(|a)`, `\Q\E|a`,
 * `(?i)|a`) to an instruction of its own, which counting it as nothing missed (fast-check found
 * `((\Q\E|a)((?i)|a)){0,5}`: bound 66, program 67).
 */
const branch = (frame: Frame) => Math.max(frame.sequence, 1);
