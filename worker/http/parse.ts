import type { Context } from 'hono';
import type { z } from 'zod';
import { ErrorCode } from '../../shared/errors.ts';
import { ApiError, zodIssues } from './api-error.ts';

/** Largest JSON body any route accepts. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads and validates a JSON body: 413 when too large, 400 naming every invalid field. */
export async function parseJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<z.infer<S>> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw tooLarge();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, ErrorCode.invalidInput, 'Body is not valid JSON', [
      { path: '(root)', message: 'Expected a JSON document' },
    ]);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError(
      400,
      ErrorCode.invalidInput,
      'Invalid request body',
      zodIssues(parsed.error),
    );
  }
  return parsed.data;
}

function tooLarge() {
  return new ApiError(413, ErrorCode.payloadTooLarge, `Body exceeds ${MAX_BODY_BYTES} bytes`);
}
