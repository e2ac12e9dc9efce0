import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { type ErrorBody, ErrorCode, type ErrorIssue } from '../../shared/errors.ts';

/** The one error class of the server. `onError` turns it into `{ error: { code, message, issues? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message);
  }
}

export const notFound = (what: string) =>
  new ApiError(404, ErrorCode.notFound, `${what} not found`);

/**
 * Turns zod issues into `{ path, message }` with dotted paths (`nodes.2.text`). Unknown query
 * parameters get one issue each, naming the parameter (`query.sort`).
 */
export function zodIssues(error: z.ZodError, prefix = ''): ErrorIssue[] {
  const path = (parts: PropertyKey[]) =>
    [prefix, ...parts.map(String)].filter(Boolean).join('.') || '(root)';
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && prefix === 'query'
      ? issue.keys.map((key) => ({
          path: path([...issue.path, key]),
          message: 'Unknown parameter',
        }))
      : [{ path: path(issue.path), message: issue.message }],
  );
}

export function errorBody(code: ErrorCode, message: string, issues?: ErrorIssue[]): ErrorBody {
  return { error: { code, message, ...(issues ? { issues } : {}) } };
}

/** Codes for errors Hono's own middleware throws (malformed JSON, body limit, ...). */
const codeByStatus: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.invalidInput,
  401: ErrorCode.unauthorized,
  403: ErrorCode.forbidden,
  404: ErrorCode.notFound,
  409: ErrorCode.conflict,
  412: ErrorCode.preconditionFailed,
  413: ErrorCode.payloadTooLarge,
  415: ErrorCode.invalidInput,
  429: ErrorCode.rateLimited,
};

/** Hono `onError`: every thrown error becomes the shared error shape; unknown errors are 500. */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof ApiError) {
    return c.json(errorBody(error.code, error.message, error.issues), error.status);
  }
  if (error instanceof HTTPException && error.status < 500) {
    const code = codeByStatus[error.status] ?? ErrorCode.invalidInput;
    const message = error.status === 413 ? 'Body exceeds 1 MB' : error.message || code;
    return c.json(errorBody(code, message), error.status as ContentfulStatusCode);
  }
  console.error('unhandled error', error);
  return c.json(errorBody(ErrorCode.internal, 'Internal error'), 500);
}
