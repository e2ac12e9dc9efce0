/**
 * Error responses of the admin API (`{ error: { code, message, issues? } }`, SPEC 3.4) turned
 * into one typed value forms can show: a summary plus a message per field path.
 */

type ErrorFields = { code: string; message: string; issues?: { path: string; message: string }[] };

/**
 * A lean check of the error body. zod would be the house choice at a boundary, but any zod
 * import in the first-load bundle drags in the core shared with the editor's flow schemas
 * (about 160 KB minified); this shape is small enough to check by hand, strictly.
 */
function parseErrorBody(body: unknown): ErrorFields | null {
  const error = (body as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (!error || typeof error !== 'object') return null;
  const { code, message, issues } = error;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  if (issues === undefined) return { code, message };
  if (!Array.isArray(issues)) return null;
  const valid = issues.every(
    (i) =>
      i && typeof i === 'object' && typeof i.path === 'string' && typeof i.message === 'string',
  );
  return valid ? { code, message, issues: issues.slice(0, 200) } : null;
}

/** What went wrong with a request, ready for a form: `fields['nodes.0.text']` → message. */
export interface ApiFailure {
  status: number;
  code: string;
  message: string;
  issues: { path: string; message: string }[];
  fields: Record<string, string>;
}

/**
 * Parses whatever an error response carried. A body that is not the documented shape (a proxy
 * page, a network error) still becomes a failure with a readable message.
 */
export function apiFailure(status: number, body: unknown): ApiFailure {
  const parsed = parseErrorBody(body);
  if (!parsed) {
    return {
      status,
      code: status === 0 ? 'network_error' : 'unexpected_response',
      message:
        status === 0
          ? 'The server could not be reached'
          : `The server answered ${status} without an error body`,
      issues: [],
      fields: {},
    };
  }
  const { code, message, issues = [] } = parsed;
  const fields: Record<string, string> = {};
  // The first message of a path wins: it is the one the server found first.
  for (const issue of issues) fields[issue.path] ??= issue.message;
  return { status, code, message, issues, fields };
}

/** A one-line text for an alert: the message, then each issue as `path: message`. */
export function failureText(failure: ApiFailure): string {
  if (failure.issues.length === 0) return failure.message;
  const details = failure.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return `${failure.message} (${details})`;
}

/** The `{ data } | { error, response }` result of an openapi-fetch call, as data or a failure. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ ok: true; data: T; response: Response } | { ok: false; failure: ApiFailure }> {
  try {
    const { data, error, response } = await call;
    if (response.ok && data !== undefined) return { ok: true, data, response };
    return { ok: false, failure: apiFailure(response.status, error) };
  } catch {
    return { ok: false, failure: apiFailure(0, undefined) };
  }
}
