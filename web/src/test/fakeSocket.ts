/** A WebSocket stand-in the test drives: open it, speak as the server, close it. */
import type { SocketLike } from "@/lib/live";

export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: Record<string, unknown>[] = [];
  closedWith: number | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  /** The server accepts and greets: `welcome` with its own (not resumable) seq. */
  accept(seq = 0): void {
    this.readyState = 1;
    this.onopen?.({});
    this.serverSends({
      type: "welcome",
      seq,
      ts: "",
      payload: { tenant_id: "t", connection_id: "c", heartbeat_s: 15, batch_ms: 20, schema_url: "" },
    });
  }

  serverSends(message: { type: string; seq: number; ts?: string; payload: unknown }): void {
    this.onmessage?.({ data: JSON.stringify({ ts: "", ...message }) });
  }

  /** The connection ends from the server's side (or the network's: 1006). */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }

  sentOf(type: string): Record<string, unknown>[] {
    return this.sent.filter((message) => message.type === type);
  }
}

export function fakeSockets() {
  const sockets: FakeSocket[] = [];
  const create = (url: string) => {
    const socket = new FakeSocket(url);
    sockets.push(socket);
    return socket;
  };
  return {
    sockets,
    create,
    get last(): FakeSocket {
      const socket = sockets.at(-1);
      if (!socket) throw new Error("no socket was opened");
      return socket;
    },
  };
}
