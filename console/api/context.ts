/** The signed-in API client, handed down the component tree. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './client.ts';

export const ApiContext = createContext<ApiClient | null>(null);

/** The API client of the signed-in admin; only pages under the signed-in shell may call it. */
export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi() outside <ApiContext.Provider>: sign in first');
  return client;
}
