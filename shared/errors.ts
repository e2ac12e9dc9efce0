/** Error codes shared by the worker (HTTP + WebSocket error frames) and the widget (localized text). */
export const ErrorCode = {
  invalidInput: 'invalid_input',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  preconditionFailed: 'precondition_failed',
  payloadTooLarge: 'payload_too_large',
  rateLimited: 'rate_limited',
  originNotAllowed: 'origin_not_allowed',
  tokenExpired: 'token_expired',
  methodNotAllowed: 'method_not_allowed',
  internal: 'internal_error',
  /** A production Worker without its secrets (503): the message says what to set. */
  notConfigured: 'not_configured',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One issue of an invalid input: where (path) and what. */
export interface ErrorIssue {
  path: string;
  message: string;
}

/** The single error body of every HTTP error. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: ErrorIssue[] };
}

/**
 * WebSocket close codes (4000–4999 are ours), used by name on both sides: the worker closes
 * with them and the widget both closes with them and decides from them whether to reconnect.
 * Terminal codes mean "do not reconnect with the same credentials": the widget must start a
 * new session first.
 */
export const CloseCode = {
  /** Closed by the widget: no frame or pong heard for too long; it reconnects with backoff. */
  heartbeatTimeout: 4000,
  /** Token missing, invalid or expired: fetch a new session, then reconnect. */
  unauthorized: 4001,
  /** The conversation was closed for good by an agent or a flow. */
  conversationClosed: 4002,
  /** The widget was shut down by the host page. */
  shutdown: 4003,
  /** The socket kept sending past its frame budget after a `rate_limited` error; reconnect with backoff. */
  tooManyFrames: 4008,
  /** The conversation already has the most open sockets allowed; retry later with backoff. */
  tooManySockets: 4009,
  /** The server is restarting or evicting; reconnect with backoff. */
  goingAway: 4010,
  /** An admin erased the conversation (privacy request): reconnecting finds it empty. */
  erased: 4011,
  /** The server closed a socket it heard nothing from (no frame, no heartbeat) for too long. */
  idle: 4012,
  /**
   * Sockets were opened on the conversation faster than its open budget allows (one a second
   * after a burst): reconnect with backoff. Unlike 4009 a retry soon succeeds, so it must not park.
   */
  tooManyConnections: 4013,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * What the widget does after each close code: every code must say so (the table is the one
 * place). `retry`: reconnect with backoff and the same token. `renew`: terminal, reconnecting
 * with this token is pointless (a new session first). `park`: do not reconnect until the
 * visitor next does something (sends, opens the panel): the conversation has all the sockets
 * it may have (other tabs), so retrying would loop for as long as they stay open; page views
 * keep going by POST meanwhile.
 */
type AfterClose = 'retry' | 'renew' | 'park';
// By number, not by name: the widget ships this table, and so not the names above. The type
// still asks for every code (a new one does not compile until it is here); the test
// test/shared/close-codes.test.ts checks each code's rule by its name.
const AFTER_CLOSE: Record<CloseCode, AfterClose> = {
  4000: 'retry', // heartbeatTimeout
  4001: 'renew', // unauthorized
  4002: 'retry', // conversationClosed
  4003: 'renew', // shutdown
  4008: 'retry', // tooManyFrames
  4009: 'park', // tooManySockets
  4010: 'retry', // goingAway
  4011: 'retry', // erased
  4012: 'retry', // idle
  4013: 'retry', // tooManyConnections
};

/** What to do after a close with `code` (codes not ours, 1000-1015: reconnect). */
export function afterClose(code: number): AfterClose {
  return AFTER_CLOSE[code as CloseCode] ?? 'retry';
}

/** Close codes after which reconnecting with the same token is pointless. */
export function isTerminalCloseCode(code: number): boolean {
  return afterClose(code) === 'renew';
}
