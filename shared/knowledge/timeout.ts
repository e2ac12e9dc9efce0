/**
 * A deadline for calls to the network (Workers AI, Vectorize): a visitor's turn must not wait on
 * a call that hangs. The call itself is not cancelled (the bindings take no signal); its result is
 * ignored once the deadline has passed, and the caller falls back to the local path.
 */
export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} took longer than ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
