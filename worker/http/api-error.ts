import type { Context } from 'hono';
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

/** Turns zod issues into `{ path, message }` with dotted paths (`nodes.2.text`). */
export function zodIssues(error: z.ZodError, prefix = ''): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
}

export function errorBody(code: ErrorCode, message: string, issues?: ErrorIssue[]): ErrorBody {
  return { error: { code, message, ...(issues ? { issues } : {}) } };
}

/** Hono `onError`: every thrown error becomes the shared error shape; unknown errors are 500. */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof ApiError) {
    return c.json(errorBody(error.code, error.message, error.issues), error.status);
  }
  console.error('unhandled error', error);
  return c.json(errorBody(ErrorCode.internal, 'Internal error'), 500);
}
