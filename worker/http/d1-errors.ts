/**
 * Maps D1 constraint failures to API errors: a duplicate or a dangling reference is a 409. The
 * routes wrap their store/ writes in it, so store/ itself never speaks HTTP.
 */
import { ErrorCode } from '../../shared/errors.ts';
import { ApiError } from './api-error.ts';

export async function withConflicts<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/UNIQUE constraint failed/i.test(message)) {
      throw new ApiError(409, ErrorCode.conflict, `${what} already exists`);
    }
    if (/FOREIGN KEY constraint failed/i.test(message)) {
      throw new ApiError(409, ErrorCode.conflict, `${what} is still referenced by other data`);
    }
    throw error;
  }
}
