/**
 * A box that sends one text to the admin API and shows what came back (the intents page's
 * "try a sentence", the knowledge page's "ask a question"): the last result, the last failure,
 * and whether a request is on its way.
 */
import { useState } from 'preact/hooks';
import { type ApiFailure, unwrap } from '../api/errors.ts';

export function useProbe<T>(
  send: () => Promise<{ data?: T; error?: unknown; response: Response }>,
) {
  const [result, setResult] = useState<T | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    const response = await unwrap(send());
    setBusy(false);
    if (!response.ok) return setFailure(response.failure);
    setFailure(null);
    setResult(response.data);
  };
  return { result, failure, busy, run };
}
