/**
 * The slice of drachtio-srf 5.x this adapter uses, typed precisely. The
 * package's own declarations type request options as a whole SrfRequest and
 * use `any` in callbacks, so the Srf instance is viewed through these
 * interfaces instead (one `unknown` cast in drachtio-signaling-engine.ts).
 */

/** What drachtio passes for an incoming request (lib/request.js). */
export interface DrachtioRequest {
  readonly method: string;
  readonly raw: string;
  /** 'udp', 'tcp', 'tls', 'ws', 'wss' as reported by the drachtio server. */
  readonly protocol: string;
  readonly source_address: string;
  readonly source_port: number;
  readonly stackTxnId: string;
  readonly uri: string;
  readonly agent: DrachtioAgent;
  on(event: 'cancel', listener: () => void): void;
  on(event: 'response', listener: (response: DrachtioResponseMessage) => void): void;
}

export interface DrachtioResponseMessage {
  readonly status: number;
  readonly raw: string;
}

export interface DrachtioResponse {
  readonly finalResponseSent: boolean;
  send(status: number, reason: string, options: { headers?: Record<string, string>; body?: string }): void;
}

/** Options the agent's proxy call reads (lib/request.js normalises them the same way). */
export type DrachtioProxyWireOptions = {
  destination: string[];
  stackTxnId: string;
  remainInDialog: boolean;
  provisionalTimeout: string;
  finalTimeout: string;
  followRedirects: boolean;
  simultaneous: boolean;
  fullResponse: boolean;
  headers?: Record<string, string>;
};

export type DrachtioProxyMeta = { readonly address: string; readonly port: string; readonly source?: string };

/**
 * `Request#proxy` only reports once the whole operation is over; the agent
 * underneath calls back once per response ('continue') and then 'done', which
 * is what live call events need. Same call, same options, earlier reports.
 */
export interface DrachtioAgent {
  proxy(req: DrachtioRequest, options: DrachtioProxyWireOptions, callback: (token: string[], rawMsg: string | undefined, meta: DrachtioProxyMeta) => void): void;
}

export type DrachtioRequestOptions = {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Outbound proxy: where to send instead of the Request-URI's host. */
  proxy?: string;
};

export interface DrachtioSrf {
  connect(config: { host: string; port: number; secret: string }): Promise<void>;
  disconnect(): void;
  use(callback: (req: DrachtioRequest, res: DrachtioResponse, next: () => void) => void): void;
  request(uri: string, options: DrachtioRequestOptions): Promise<DrachtioRequest>;
  on(event: 'error', listener: (error: Error) => void): void;
}
