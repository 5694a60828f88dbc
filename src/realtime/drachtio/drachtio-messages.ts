import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.ts';
import { parseMessage } from '../sip/parser.ts';
import { err, ok, type Result } from '../sip/result.ts';
import { checkRequest, type RequestCore } from '../sip/sanity.ts';
import type { NextHop, TransportName } from '../engine/signaling-engine.ts';

/** drachtio hands over the raw text; the project's parser makes it the same typed message the embedded engine produces. */
export function parseDrachtioRequest(raw: string): Result<{ request: SipRequest; core: RequestCore }> {
  const parsed = parseMessage(Buffer.from(raw, 'utf8'), { mode: 'stream', maxMessageSize: Infinity });
  if (!parsed.ok) return err(parsed.error.reason);
  if (parsed.value.kind !== 'request') return err('not a request');
  // The drachtio server already validated Proxy-Require/Require; accept any tag here.
  const tags = ['Proxy-Require', 'Require'].flatMap((n) => parsed.value.headers.getAll(n)).flatMap((v) => v.split(',')).map((t) => t.trim().toLowerCase());
  const core = checkRequest(parsed.value, { supportedOptionTags: new Set(tags), enforceRequire: false });
  if (!core.ok) return err(core.error.reason);
  return ok({ request: parsed.value, core: core.value });
}

export function parseDrachtioResponse(raw: string | undefined): SipResponse | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseMessage(Buffer.from(raw, 'utf8'), { mode: 'stream', maxMessageSize: Infinity });
  return parsed.ok && parsed.value.kind === 'response' ? parsed.value : undefined;
}

/** drachtio takes headers as a record: repeated names are folded into one comma-separated value (RFC 3261 §7.3.1). */
export function headerRecord(headers: readonly HeaderInit[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  return out;
}

export function transportName(protocol: string): TransportName {
  const p = protocol.toLowerCase();
  return p === 'tcp' || p === 'tls' || p === 'ws' || p === 'wss' ? p : 'udp';
}

/** drachtio cannot choose a connection: a hop becomes a SIP URI naming its address (and transport). */
export function hopUri(hop: NextHop): string {
  const { transport, address, port } = hop.kind === 'flow' ? hop.flow : hop;
  const host = address.includes(':') ? `[${address}]` : address;
  return `sip:${host}:${port}${transport === 'udp' ? '' : `;transport=${transport}`}`;
}
