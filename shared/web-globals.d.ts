/**
 * The few web-standard globals shared/ may use. They exist in Workers, browsers and Node, but
 * shared/ compiles without the DOM library (so DOM APIs cannot creep in); declare them here.
 */
declare class URL {
  constructor(url: string, base?: string | URL);
  readonly hostname: string;
  readonly pathname: string;
  readonly protocol: string;
  readonly search: string;
  readonly searchParams: { get(name: string): string | null };
  readonly href: string;
  readonly host: string;
  readonly origin: string;
  readonly hash: string;
}

/** Base64 decoding (word vectors ship as base64 in a module). */
declare function atob(data: string): string;
/** Base64 encoding (stored passage embeddings). */
declare function btoa(data: string): string;

/** Deadlines on Workers AI and Vectorize calls (knowledge/timeout.ts). */
declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(id: unknown): void;
/** UTF-8 byte lengths and content hashes of passages (knowledge/vector-index.ts). */
declare class TextEncoder {
  encode(text: string): Uint8Array;
}
declare const crypto: {
  subtle: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> };
};
