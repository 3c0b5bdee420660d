// Who may talk to the endpoint from a web browser: the Host and Origin checks that keep web
// pages out, and the CORS answers that let the pages of chosen origins in.
//
// DNS rebinding. A page on http://evil.example:4599 whose name the attacker then resolves to
// 127.0.0.1 is, for the browser, talking to its own origin: it may POST to the local endpoint and
// read the answers. Without signatures (`auth: 'none'`) nothing else stands in the way, so every
// request must carry a Host that names this endpoint:
//
//   - the loopback names `localhost`, `127.0.0.1` and `[::1]`;
//   - the address the server listens on and the `host` it was given (e.g. `192.168.1.5`, or a
//     name such as `kms.internal`);
//   - when it listens on every address (`0.0.0.0` or `::`), that address and the addresses of
//     this machine's network interfaces (os.networkInterfaces(), read again when a Host is not
//     found, so an address that came up later is found) — not names: a name that reaches the
//     machine (a docker compose service, a DNS name) must be listed with `allowHosts`
//     (`--allow-host`);
//   - the names in `allowHosts`;
//
// with the listening port or no port. A request without a Host header (HTTP/1.0; no browser
// sends one) is let through. A request whose Origin header is present must come from one of
// the same names on the same port (a page served by this endpoint's own address — there is none,
// but a tool such as a local proxy may send it) or from a `cors` origin; `Origin: null`
// (sandboxed frames, file: pages) is refused.
//
// In strict mode (`auth: 'sigv4'`) the signature covers the Host header, and a page cannot sign
// without a secret key, so Host is not checked there; Origin is checked only when `cors` is set
// (an operator who lists origins means the others to be kept out; without a list, browsers
// already keep other origins from reading the answers, since no CORS headers are sent).
//
// /health is exempt from both checks: it holds nothing but the version, and health probes name
// the endpoint however their network reaches it.
//
// CORS (the Fetch standard's protocol): an allowed origin's preflight — OPTIONS with
// Access-Control-Request-Method — is answered 204 with the methods and request headers the AWS
// SDK for JavaScript v3 sends from a browser, and every response to that origin (errors too)
// carries Access-Control-Allow-Origin and exposes x-amzn-RequestId and x-amzn-ErrorType. Any
// other origin gets no CORS headers. Access-Control-Allow-Credentials is never sent: the SDK
// sends no cookies, and the endpoint reads none.

import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';

/**
 * The request headers the AWS SDK for JavaScript v3 sends from a browser. Seen in Chromium with
 * @aws-sdk/client-kms: content-type, x-amz-target, x-amz-user-agent, amz-sdk-invocation-id,
 * amz-sdk-request, authorization, x-amz-date and x-amz-content-sha256; x-amz-security-token
 * joins them with temporary credentials (a session token).
 */
export const CORS_REQUEST_HEADERS = [
  'content-type',
  'x-amz-target',
  'x-amz-user-agent',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
] as const;

/** Response headers a page may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = 'x-amzn-RequestId, x-amzn-ErrorType';

/** How long a browser may reuse a preflight answer, in seconds (Chromium caps it at 7200). */
export const CORS_MAX_AGE = 600;

export interface GuardOptions {
  /** The host the server was asked to listen on (`host` option). */
  host: string;
  /** The address it listens on and its port, once known. */
  listening: () => { address: string; port: number };
  /** Signatures are verified (auth 'sigv4'). */
  strict: boolean;
  /** Origins whose pages may call the endpoint, e.g. 'http://localhost:3000'. */
  cors?: readonly string[];
  /** Further Host names to accept without signatures, e.g. a docker compose service name. */
  allowHosts?: readonly string[];
}

/** What the guard makes of a request. */
export type GuardDecision =
  | { allowed: true; /** the origin to answer with CORS headers, if any */ corsOrigin?: string }
  | { allowed: false; message: string };

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Checks an origin as `scheme://host[:port]` and returns it in the Fetch standard's serialized form. */
export function normalizeOrigin(text: unknown, where = 'cors'): string {
  const bad = () =>
    new TypeError(
      `${where}: ${JSON.stringify(text)} is not an origin: expected scheme://host[:port], such as http://localhost:3000, with nothing after it`,
    );
  if (typeof text !== 'string') throw bad();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '')
    throw bad();
  // Nothing after the authority but an optional '/'.
  const rest = text.replace(/^[a-z]+:\/\/[^/?#]*/i, '');
  if (rest !== '' && rest !== '/') throw bad();
  return url.origin;
}

/** Checks a host name or address for allowHosts; returns it as a Host header names it (lower case, IPv6 in brackets). */
export function normalizeHostName(text: unknown, where = 'allowHosts'): string {
  const bad = () =>
    new TypeError(`${where}: ${JSON.stringify(text)} is not a host name or address (no scheme, port or path)`);
  if (typeof text !== 'string' || text === '') throw bad();
  const bracketed = text.includes(':') && !text.startsWith('[') ? `[${text}]` : text;
  const name = hostNameOf(bracketed);
  if (name === undefined) throw bad();
  return name;
}

/** A Host name in canonical form (lower case, IPv4 and IPv6 as WHATWG URL writes them), or undefined. */
function hostNameOf(name: string): string | undefined {
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)$/.test(name)) return undefined;
  try {
    return new URL(`http://${name}/`).hostname;
  } catch {
    return undefined;
  }
}

/** Splits a Host header into its name (canonical) and port; undefined when it is not one. */
function parseHost(value: string): { name: string; port?: number } | undefined {
  const m = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(value);
  if (m === null) return undefined;
  const name = hostNameOf(m[1]);
  if (name === undefined) return undefined;
  return { name, port: m[2] === undefined ? undefined : Number(m[2]) };
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '0:0:0:0:0:0:0:0';
}

function interfaceNames(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      // A zone index (fe80::1%eth0) is not part of a Host header's address.
      const address = a.address.replace(/%.*$/, '');
      const name = hostNameOf(a.family === 'IPv6' ? `[${address}]` : address);
      if (name !== undefined) out.push(name);
    }
  }
  return out;
}

/** Printable and short, for quoting a header a client sent in an error message. */
function quote(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 100 ? `${clean.slice(0, 100)}...` : clean);
}

export class RequestGuard {
  private readonly strict: boolean;
  private readonly cors: ReadonlySet<string>;
  private readonly fixedNames: ReadonlySet<string>;
  private readonly host: string;
  private readonly listening: () => { address: string; port: number };
  private bound?: { names: Set<string>; port: number; wildcard: boolean };
  private interfacesReadAt = 0;

  constructor(options: GuardOptions) {
    this.strict = options.strict;
    this.cors = new Set((options.cors ?? []).map((o, i) => normalizeOrigin(o, `cors[${i}]`)));
    const names = new Set(LOOPBACK_NAMES);
    for (const [i, h] of (options.allowHosts ?? []).entries()) names.add(normalizeHostName(h, `allowHosts[${i}]`));
    this.fixedNames = names;
    this.host = options.host;
    this.listening = options.listening;
  }

  /** Whether CORS origins are configured (responses then vary by Origin). */
  get corsEnabled(): boolean {
    return this.cors.size > 0;
  }

  private names(): { names: Set<string>; port: number; wildcard: boolean } {
    if (this.bound === undefined) {
      const { address, port } = this.listening();
      const names = new Set(this.fixedNames);
      const wildcard = isWildcard(address) || isWildcard(this.host);
      // A wildcard address itself (`0.0.0.0`, `[::]`) counts too: it is what the printed URL
      // says, and no page but one served from this machine has it as its origin.
      for (const h of [this.host, address]) {
        const name = hostNameOf(h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
        if (name !== undefined) names.add(name);
      }
      if (wildcard) for (const n of interfaceNames()) names.add(n);
      this.bound = { names, port, wildcard };
    }
    return this.bound;
  }

  /**
   * Whether `name` (canonical) names this endpoint. On a wildcard address an unknown name has the
   * interfaces read again first, at most once a second (a flood of refused requests would
   * otherwise make one system call each).
   */
  private knows(name: string): boolean {
    const b = this.names();
    if (b.names.has(name)) return true;
    if (!b.wildcard) return false;
    const t = Date.now();
    if (t - this.interfacesReadAt < 1000) return false;
    this.interfacesReadAt = t;
    const now = interfaceNames();
    for (const n of now) b.names.add(n);
    return now.includes(name);
  }

  private sameEndpoint(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' || url.origin !== origin) return false;
    return Number(url.port || '80') === this.names().port && this.knows(url.hostname);
  }

  /** The decision for one request. `path` is the request's path without its query. */
  check(req: IncomingMessage, path: string): GuardDecision {
    if (path === '/health') return { allowed: true, corsOrigin: this.corsOriginOf(req) };
    if (!this.strict) {
      const host = req.headers.host;
      if (host !== undefined) {
        const parsed = parseHost(host);
        const port = this.names().port;
        if (parsed === undefined || (parsed.port !== undefined && parsed.port !== port) || !this.knows(parsed.name)) {
          // This engine's wording; AWS has no such check to quote.
          return {
            allowed: false,
            message: `Host ${quote(host)} does not name this endpoint. Without --auth sigv4 only the addresses it listens on, localhost and the names given with --allow-host are accepted, which keeps web pages out by DNS rebinding.`,
          };
        }
      }
    }
    const origin = req.headers.origin;
    if (origin === undefined) return { allowed: true };
    if (this.cors.has(origin)) return { allowed: true, corsOrigin: origin };
    if (this.strict && this.cors.size === 0) return { allowed: true };
    if (this.sameEndpoint(origin)) return { allowed: true };
    // This engine's wording; AWS has no such check to quote.
    return {
      allowed: false,
      message: `Origin ${quote(origin)} may not call this endpoint. Web pages are refused unless their origin is given with --cors.`,
    };
  }

  private corsOriginOf(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    return origin !== undefined && this.cors.has(origin) ? origin : undefined;
  }

  /** Headers for a response to `corsOrigin` (none when undefined); `Vary: Origin` whenever CORS is on. */
  responseHeaders(corsOrigin: string | undefined): Record<string, string> {
    const h: Record<string, string> = {};
    if (this.cors.size > 0) h.Vary = 'Origin';
    if (corsOrigin !== undefined) {
      h['Access-Control-Allow-Origin'] = corsOrigin;
      h['Access-Control-Expose-Headers'] = CORS_EXPOSED_HEADERS;
    }
    return h;
  }

  /** Whether the request is a CORS preflight (OPTIONS with Access-Control-Request-Method). */
  static isPreflight(req: IncomingMessage): boolean {
    return (
      req.method === 'OPTIONS' &&
      req.headers['access-control-request-method'] !== undefined &&
      req.headers.origin !== undefined
    );
  }

  /** The headers of a preflight answer to an allowed origin. */
  preflightHeaders(req: IncomingMessage, corsOrigin: string): Record<string, string> {
    const h: Record<string, string> = {
      ...this.responseHeaders(corsOrigin),
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': CORS_REQUEST_HEADERS.join(', '),
      'Access-Control-Max-Age': String(CORS_MAX_AGE),
    };
    // Chromium's Private Network Access: a page on a public origin asks before it reaches a
    // loopback or private address; an origin given with --cors is meant to be let in.
    if (req.headers['access-control-request-private-network'] === 'true')
      h['Access-Control-Allow-Private-Network'] = 'true';
    return h;
  }
}
