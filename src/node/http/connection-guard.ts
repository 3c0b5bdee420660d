// Connection limits of the HTTP endpoint, so that a client holding many sockets open (stalled
// half-sent requests, idle keep-alive connections) cannot lock everyone else out.
//
// Every connection is in one of three states:
//  - idle: no request on it yet, or between keep-alive requests (headers not yet complete);
//  - reading: a request's headers have arrived, its body is still coming in;
//  - busy: the whole request has arrived and is being worked on and answered.
// When a new connection takes its client address over `perAddress`, or all connections over
// `total`, one connection is closed to make room: the longest idle one other than the new one
// (of that address, or of any address for the total), else the one whose body has been coming
// in longest. A busy connection is never closed to make room: a complete request always gets
// its answer. If every other connection is busy, the new one is closed. A flood from one address
// thus churns through its own connections, and a new client always gets a place.
// Stalled connections are also cut off in time by node:http's headersTimeout (which also counts
// for a connection that has sent nothing yet) and requestTimeout, which the server sets; these
// limits are what keeps room for others until then.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Connections open at once, over every client address. */
  total: number;
  /** Connections open at once from one client address. */
  perAddress: number;
}

type State = 'idle' | 'reading' | 'busy';

interface Tracked {
  socket: Socket;
  address: string;
  state: State;
}

/** Insertion-ordered sets: the first entry of each is the connection longest in that state. */
interface Group {
  idle: Set<Tracked>;
  reading: Set<Tracked>;
  count: number;
}

const newGroup = (): Group => ({ idle: new Set(), reading: new Set(), count: 0 });

/** Counters for tests and diagnostics. */
export interface ConnectionGuardStats {
  open: number;
  /** Connections closed to make room for new ones. */
  evicted: number;
  /** New connections closed because every other candidate was busy. */
  refused: number;
}

export class ConnectionGuard {
  readonly #limits: ConnectionLimits;
  readonly #all = newGroup();
  readonly #byAddress = new Map<string, Group>();
  readonly #bySocket = new WeakMap<Socket, Tracked>();
  #evicted = 0;
  #refused = 0;

  constructor(limits: ConnectionLimits) {
    this.#limits = limits;
  }

  /** Hooks the guard to a server's connections and requests. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.#onConnection(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#onRequest(req, res));
  }

  stats(): ConnectionGuardStats {
    return { open: this.#all.count, evicted: this.#evicted, refused: this.#refused };
  }

  #onConnection(socket: Socket): void {
    const address = normalize(socket.remoteAddress);
    const t: Tracked = { socket, address, state: 'idle' };
    let group = this.#byAddress.get(address);
    if (group === undefined) {
      group = newGroup();
      this.#byAddress.set(address, group);
    }
    this.#bySocket.set(socket, t);
    group.count++;
    this.#all.count++;
    group.idle.add(t);
    this.#all.idle.add(t);
    socket.once('close', () => this.#remove(t));

    if (group.count > this.#limits.perAddress) this.#makeRoom(group, t);
    if (!socket.destroyed && this.#all.count > this.#limits.total) this.#makeRoom(this.#all, t);
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const t = this.#bySocket.get(req.socket);
    if (t === undefined) return;
    this.#setState(t, 'reading');
    const complete = () => this.#setState(t, 'busy');
    if (req.complete) complete();
    else req.once('end', complete);
    // Answered (or abandoned): the connection waits for its next request, if any.
    res.once('close', () => {
      req.off('end', complete);
      if (!t.socket.destroyed) this.#setState(t, 'idle');
    });
  }

  #setState(t: Tracked, state: State): void {
    if (t.state === state || !this.#bySocket.has(t.socket)) return;
    this.#leave(t);
    t.state = state;
    // Re-added at the end: the order within a set is the order connections entered the state.
    if (state !== 'busy') {
      this.#all[state].add(t);
      this.#byAddress.get(t.address)?.[state].add(t);
    }
  }

  #leave(t: Tracked): void {
    if (t.state === 'busy') return;
    this.#all[t.state].delete(t);
    this.#byAddress.get(t.address)?.[t.state].delete(t);
  }

  #remove(t: Tracked): void {
    if (!this.#bySocket.has(t.socket)) return;
    this.#bySocket.delete(t.socket);
    this.#leave(t);
    this.#all.count--;
    const group = this.#byAddress.get(t.address);
    if (group !== undefined && --group.count === 0) this.#byAddress.delete(t.address);
  }

  /** Closes the longest-idle connection of `group`, else its longest-reading one, else `newcomer`. */
  #makeRoom(group: Group, newcomer: Tracked): void {
    const victim = firstOther(group.idle, newcomer) ?? firstOther(group.reading, newcomer);
    if (victim === undefined) {
      this.#refused++;
      this.#drop(newcomer);
      return;
    }
    this.#evicted++;
    this.#drop(victim);
  }

  #drop(t: Tracked): void {
    // Counted out now, not when 'close' comes, so that a burst of connections sees the room made.
    this.#remove(t);
    t.socket.destroy();
  }
}

function firstOther<T>(set: Set<T>, not: T): T | undefined {
  for (const item of set) if (item !== not) return item;
  return undefined;
}

/** 127.0.0.1 and ::ffff:127.0.0.1 are the same client. */
function normalize(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
