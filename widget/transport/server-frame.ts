/**
 * A lean parser for server frames. The shared zod/mini schema costs ~8 KB brotli in the
 * bundle — half the messenger budget — so the widget checks frames by hand here.
 * test/shared/widget-server-frame.test.ts proves this accepts exactly the frames
 * `serverFrameSchema` accepts (property-based, against the shared schema), bare or inside a
 * `batch` envelope (shared/protocol.ts `packFrames`), where each frame is checked on its own.
 */
import type { ServerFrame } from '../../shared/protocol.ts';

type Check = (value: unknown) => boolean;
type Shape = Record<string, Check>;

const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const bool: Check = (v) => typeof v === 'boolean';
const opt =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    values.includes(v as string);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const shape =
  (fields: Shape): Check =>
  (v) =>
    isObject(v) && Object.keys(fields).every((k) => fields[k]!(v[k]));

const choice = shape({ label: str, value: str });
const list =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(check);
const message = shape({
  seq: num,
  author: oneOf('visitor', 'pilot', 'agent', 'system'),
  text: str,
  at: num,
  choices: opt(list(choice)),
  input: opt(str),
  clientId: opt(str),
  image: opt(shape({ url: str, alt: str })),
  links: opt(list(shape({ label: str, url: str, newTab: opt(bool) }))),
  cards: opt(list(shape({ title: str, text: opt(str), imageUrl: opt(str), url: opt(str) }))),
  post: opt(shape({ size: oneOf('small', 'large'), title: opt(str), preview: opt(str) })),
  form: opt(list(shape({ name: str, label: str, kind: str, required: opt(bool) }))),
  errors: opt((v) => isObject(v) && Object.values(v).every(str)),
});

const frames: Record<string, Shape> = {
  welcome: { conversationId: str, lastSeq: num, pageEnd: opt(num) },
  message: { message },
  ack: { id: str },
  error: { code: str, message: str, id: opt(str) },
  typing: { author: oneOf('pilot', 'agent'), active: bool },
  redirect: { url: str, newTab: bool },
  banner: { text: str, url: opt(str), style: oneOf('info', 'success', 'warning') },
};

/**
 * The frames of one WebSocket message: a bare frame, or each frame of a `batch` (shared/
 * protocol.ts), in order; anything the shared schema would refuse is left out.
 */
export function parseServerFrames(raw: string): ServerFrame[] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return [];
  }
  const list =
    isObject(json) && json.v === 1 && json.type === 'batch' && Array.isArray(json.frames)
      ? json.frames
      : [json];
  return list.map(checkServerFrame).filter((frame) => frame !== null);
}

/**
 * Checks an already parsed value (a page view's answer, read once by `response.json()`): no
 * stringify-and-parse round trip per frame on the start-up path.
 */
export function checkServerFrame(json: unknown): ServerFrame | null {
  if (!isObject(json) || json.v !== 1 || typeof json.type !== 'string') return null;
  const fields = Object.hasOwn(frames, json.type) ? frames[json.type] : undefined;
  return fields && shape(fields)(json) ? (json as ServerFrame) : null;
}
