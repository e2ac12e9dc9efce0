/** Types of `main.mjs` for TypeScript callers (the Workers-runtime test). */
export declare const USAGE: string;
export declare function main(
  argv: string[],
  io?: {
    fetch?: (input: string, init?: RequestInit) => Promise<Response>;
    env?: Record<string, string | undefined>;
    stdout?: (line: string) => void;
    stderr?: (line: string) => void;
  },
): Promise<number>;
