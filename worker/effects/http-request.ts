/**
 * The `http_request` effect: guarded URL (SSRF), bounded time and response size, an
 * `Idempotency-Key` per step so receivers can deduplicate, retries only for idempotent methods,
 * redirects followed by hand so every hop passes the guard again (and a hop to another origin
 * carries neither the flow's headers nor its body).
 */
import type { IoEffect } from '../../shared/engine/types.ts';
import type { EffectResult } from './effect-result.ts';
import { checkAddress, type GuardOptions, guardUrl, isHostName } from './ssrf-guard.ts';

type HttpEffect = Extract<IoEffect, { type: 'http_request' }>;

export const HTTP_DEFAULT_TIMEOUT_MS = 5_000;
export const HTTP_MAX_TIMEOUT_MS = 10_000;
/** Larger responses fail the step (`response_too_large`): flows save small JSON values. */
export const HTTP_MAX_RESPONSE_BYTES = 256 * 1024;
const MAX_REDIRECTS = 3;
/** Dropped (with every header the flow set) when a redirect leads to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const RETRY_DELAYS_MS = [200, 600];
/** RFC 9110 idempotent methods: safe to send again when the first attempt failed. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/** The timeout a step gets: the node's `timeoutMs`, capped at 10 s, default 5 s. */
export function effectiveTimeout(timeoutMs: number | undefined): number {
  if (!timeoutMs || !Number.isFinite(timeoutMs)) return HTTP_DEFAULT_TIMEOUT_MS;
  return Math.min(Math.max(timeoutMs, 100), HTTP_MAX_TIMEOUT_MS);
}

class StepError extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(code);
  }
}

async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > HTTP_MAX_RESPONSE_BYTES) throw new StepError('response_too_large', false);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > HTTP_MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new StepError('response_too_large', false);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return null;
  if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Outside local development, every address the host name resolves to must be public. */
async function checkResolvedHost(host: string, guard: GuardOptions, signal: AbortSignal) {
  if (!guard.resolve || !isHostName(host)) return;
  let addresses: string[];
  try {
    addresses = await guard.resolve(host, signal);
  } catch (error) {
    if (signal.aborted) throw new StepError('timeout', true);
    throw new StepError(
      `blocked_url: could not resolve ${host} (${String(error).slice(0, 100)})`,
      true,
    );
  }
  for (const address of addresses) {
    const blocked = checkAddress(address, guard);
    if (blocked)
      throw new StepError(`blocked_url: ${host} resolves to ${address}, a ${blocked}`, false);
  }
}

async function attempt(effect: HttpEffect, guard: GuardOptions, signal: AbortSignal) {
  const headers = new Headers(effect.headers);
  if (!headers.has('idempotency-key')) headers.set('idempotency-key', effect.idempotencyKey);
  if (effect.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', effect.contentType ?? 'application/json');
  headers.set('user-agent', 'edgepilot-webhook/1');
  let target = effect.url;
  let method = effect.method.toUpperCase();
  let body = method === 'GET' || method === 'HEAD' ? undefined : effect.body;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const checked = guardUrl(target, guard);
    if (!checked.ok) throw new StepError(`blocked_url: ${checked.reason}`, false);
    await checkResolvedHost(checked.url.hostname, guard, signal);
    let response: Response;
    try {
      response = await fetch(checked.url, { method, headers, body, redirect: 'manual', signal });
    } catch (error) {
      if (signal.aborted) throw new StepError('timeout', true);
      throw new StepError(`network_error: ${String(error).slice(0, 200)}`, true);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, checked.url);
      // As fetch does: 303, and 301/302 after a POST, go on as a GET without the body.
      const status = response.status;
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers.delete('content-type');
      }
      if (next.origin !== checked.url.origin) {
        // Another origin than the one the flow's author named (an open redirect, a compromised
        // partner) never gets the flow's headers (its API keys) or credentials…
        for (const name of [...Object.keys(effect.headers), ...CREDENTIAL_HEADERS])
          headers.delete(name);
        // …nor the body, which may carry what a visitor typed: a 307/308 that would send it on
        // fails the step instead.
        if (body !== undefined)
          throw new StepError(
            `blocked_redirect: ${status} to another origin (${next.origin}) would resend the body`,
            false,
          );
      }
      target = next.toString();
      continue;
    }
    const text = await readCapped(response);
    return { status: response.status, body: parseBody(text, response.headers.get('content-type')) };
  }
  throw new StepError('too_many_redirects', false);
}

/** Runs the request; never throws. 5xx/429/network errors are retried for idempotent methods. */
export async function runHttpRequest(
  effect: HttpEffect,
  guard: GuardOptions,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<EffectResult> {
  const retries = isIdempotentMethod(effect.method) ? RETRY_DELAYS_MS : [];
  const timeout = effectiveTimeout(effect.timeoutMs);
  for (let index = 0; ; index++) {
    try {
      const result = await attempt(effect, guard, AbortSignal.timeout(timeout));
      const retryStatus = result.status >= 500 || result.status === 429;
      if (retryStatus && index < retries.length) {
        await sleep(retries[index] ?? 0);
        continue;
      }
      const ok = result.status >= 200 && result.status < 300;
      return ok ? { ok, data: result } : { ok, data: result, error: `http_${result.status}` };
    } catch (error) {
      const stepError = error instanceof StepError ? error : new StepError(String(error), false);
      if (stepError.retryable && index < retries.length) {
        await sleep(retries[index] ?? 0);
        continue;
      }
      return { ok: false, error: stepError.code };
    }
  }
}
