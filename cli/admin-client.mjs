// @ts-check
/**
 * The admin API as the CLI sees it: JSON in and out, the bearer key, and the API's error shape
 * `{ error: { code, message, issues? } }` turned into one readable line per issue.
 */

/**
 * @typedef {{ status: number, body: any, etag: string | null }} ApiResponse
 * @typedef {(input: string, init?: RequestInit) => Promise<Response>} Fetch
 */

export class AdminClient {
  /**
   * @param {string} baseUrl the Worker's origin, e.g. `http://localhost:8787`
   * @param {string} key an admin API key
   * @param {Fetch} fetchImpl
   */
  constructor(baseUrl, key, fetchImpl) {
    this.base = `${baseUrl.replace(/\/+$/, '')}/v1/admin`;
    this.key = key;
    this.fetch = fetchImpl;
  }

  /**
   * @param {string} method
   * @param {string} path under `/v1/admin`
   * @param {{ body?: unknown, ifMatch?: string }} [options]
   * @returns {Promise<ApiResponse>}
   */
  async request(method, path, options = {}) {
    /** @type {Record<string, string>} */
    const headers = { authorization: `Bearer ${this.key}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.ifMatch) headers['if-match'] = options.ifMatch;
    let response;
    try {
      response = await this.fetch(`${this.base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (error) {
      throw new CliError(`cannot reach ${this.base}: ${/** @type {Error} */ (error).message}`);
    }
    const text = await response.text();
    let body = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = { error: { code: 'not_json', message: text.slice(0, 200) } };
    }
    if (response.status === 401 || response.status === 403 || response.status === 429) {
      // No point going on with the next file: every call would fail the same way.
      throw new CliError(`${method} ${path}: ${describeError({ status: response.status, body })}`);
    }
    return { status: response.status, body, etag: response.headers.get('etag') };
  }

  /**
   * Every item of a paginated list, following `nextCursor`.
   * @param {string} path
   * @param {Record<string, string>} [query]
   */
  async listAll(path, query = {}) {
    const items = [];
    let cursor = null;
    do {
      const params = new URLSearchParams({ ...query, limit: '100' });
      if (cursor) params.set('cursor', cursor);
      const page = await this.request('GET', `${path}?${params}`);
      if (page.status !== 200) throw new CliError(`GET ${path}: ${describeError(page)}`);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  }
}

/** A failure that ends the command with a message instead of a stack trace. */
export class CliError extends Error {}

/**
 * `400 invalid_input: Invalid flow (nodes.0.text: Required; name: Too small)`.
 * @param {{ status: number, body: any }} response
 */
export function describeError(response) {
  const error = response.body?.error;
  if (!error) return `HTTP ${response.status}`;
  const issues = Array.isArray(error.issues)
    ? ` (${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`
    : '';
  return `${response.status} ${error.code}: ${error.message}${issues}`;
}
