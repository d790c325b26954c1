import { MessageType } from "graphql-ws";

/**
 * Bounded buffering per socket. workerd's server-side WebSocket has no
 * `bufferedAmount` (undefined, measured in the Workers test pool's workerd)
 * and `send` never blocks: what a slow client does not read piles up in
 * the Durable Object's memory. So the broadcaster counts the bytes it sent to
 * each socket and, every `maxUnconfirmedBytes / 8` bytes, sends a protocol
 * ping carrying that count; the client's pong echoes it (graphql-ws clients
 * do) once it has read everything before it. A socket with more than
 * `maxUnconfirmedBytes` sent but not confirmed cannot keep up and is closed.
 * Counts live in memory: after an eviction a socket starts a fresh window.
 */
export class SendWindow {
  readonly #sockets = new Map<WebSocket, { sent: number; confirmed: number; pingedAt: number }>();

  constructor(private readonly maxUnconfirmedBytes: number) {}

  /** Counts one send; false when the socket is now too far behind. */
  sent(socket: WebSocket, bytes: number): boolean {
    let window = this.#sockets.get(socket);
    if (!window) this.#sockets.set(socket, (window = { sent: 0, confirmed: 0, pingedAt: 0 }));
    window.sent += bytes;
    if (window.sent - window.confirmed > this.maxUnconfirmedBytes) return false;
    if (window.sent - window.pingedAt >= this.maxUnconfirmedBytes / 8) {
      window.pingedAt = window.sent;
      socket.send(`{"type":"${MessageType.Ping}","payload":{"sent":${window.sent}}}`);
    }
    return true;
  }

  /** A pong: the client has read everything sent before the ping it answers. */
  confirmed(socket: WebSocket, payload: Record<string, unknown> | undefined): void {
    const window = this.#sockets.get(socket);
    const sent = payload?.["sent"];
    if (window && typeof sent === "number" && sent <= window.sent) window.confirmed = Math.max(window.confirmed, sent);
  }

  forget(socket: WebSocket): void {
    this.#sockets.delete(socket);
  }
}
