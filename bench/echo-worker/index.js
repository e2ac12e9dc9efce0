// Bare echo Durable Object: the floor our hot path is compared against. One object per
// conversation name, one INSERT per message (one commit, like one edgepilot turn), then echo.
import { DurableObject } from 'cloudflare:workers';

export class EchoObject extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, at INTEGER NOT NULL)',
    );
  }

  async fetch() {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  async webSocketMessage(ws, message) {
    this.ctx.storage.sql.exec(
      'INSERT INTO messages (body, at) VALUES (?, ?)',
      String(message),
      Date.now(),
    );
    ws.send(message);
  }

  async webSocketClose(ws, code) {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/health') return new Response('ok');
    if (url.pathname !== '/socket' || request.headers.get('upgrade') !== 'websocket') {
      return new Response('not found', { status: 404 });
    }
    const name = url.searchParams.get('name') ?? 'default';
    return env.ECHO.get(env.ECHO.idFromName(name)).fetch(request);
  },
};
