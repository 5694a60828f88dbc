import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../../config/config.ts';
import type { ListenSpec } from '../sip/sip-engine.ts';
import type { SipFrontEndConfig } from './sip-front-end-config.ts';

/** The PEM files of SIP_TLS_CERT / SIP_TLS_KEY / SIP_TLS_CA, read and checked to form a usable pair. */
export type TlsMaterial = { readonly cert: Buffer; readonly key: Buffer; readonly ca?: Buffer };

/**
 * Reads the TLS files once at start-up, so a missing file or a key that does
 * not match its certificate stops the server with one line naming the
 * variable, instead of failing each handshake later. Undefined when no
 * transport needs TLS.
 */
export function loadTlsMaterial(
  sip: Pick<SipFrontEndConfig, 'transports' | 'tlsCert' | 'tlsKey' | 'tlsCa'>,
  read: (path: string) => Buffer = (path) => readFileSync(path),
): TlsMaterial | undefined {
  if (!sip.transports.some((t) => t === 'tls' || t === 'wss')) return undefined;
  if (sip.tlsCert === undefined) throw new ConfigError('SIP_TLS_CERT: required when SIP_TRANSPORTS includes tls or wss');
  if (sip.tlsKey === undefined) throw new ConfigError('SIP_TLS_KEY: required when SIP_TRANSPORTS includes tls or wss');
  const file = (name: string, path: string): Buffer => {
    try {
      return read(path);
    } catch (error) {
      throw new ConfigError(`${name}: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`);
    }
  };
  const material: TlsMaterial = {
    cert: file('SIP_TLS_CERT', sip.tlsCert),
    key: file('SIP_TLS_KEY', sip.tlsKey),
    ...(sip.tlsCa !== undefined ? { ca: file('SIP_TLS_CA', sip.tlsCa) } : {}),
  };
  try {
    createSecureContext({ cert: material.cert, key: material.key, ...(material.ca ? { ca: material.ca } : {}) });
  } catch (error) {
    throw new ConfigError(`SIP_TLS_CERT / SIP_TLS_KEY: not a usable PEM certificate and key (${error instanceof Error ? error.message : String(error)})`);
  }
  return material;
}

/**
 * One listener per configured transport: UDP and TCP on SIP_PORT, TLS, WS and
 * WSS on their own ports. Two stream listeners on one port cannot both bind,
 * so that is refused here with the variables named (0 = any free port is fine).
 */
export function sipListenSpecs(sip: SipFrontEndConfig, sipPort: number, tls: TlsMaterial | undefined): ListenSpec[] {
  const streamPorts = new Map<number, string>();
  const claim = (port: number, name: string): number => {
    const holder = streamPorts.get(port);
    if (port !== 0 && holder !== undefined) throw new ConfigError(`${name}: port ${port} is already taken by ${holder}`);
    streamPorts.set(port, name);
    return port;
  };
  const secure = (): TlsMaterial => {
    if (!tls) throw new ConfigError('SIP_TLS_CERT: required when SIP_TRANSPORTS includes tls or wss');
    return tls;
  };
  const host = sip.host;
  return sip.transports.map((protocol): ListenSpec => {
    switch (protocol) {
      case 'udp':
        return { protocol, host, port: sipPort };
      case 'tcp':
        return { protocol, host, port: claim(sipPort, 'SIP_PORT (tcp)') };
      case 'tls': {
        const m = secure();
        return { protocol, host, port: claim(sip.tlsPort, 'SIP_TLS_PORT'), cert: m.cert, key: m.key, ...(m.ca ? { ca: m.ca } : {}) };
      }
      case 'ws':
        return { protocol, host, port: claim(sip.wsPort, 'SIP_WS_PORT') };
      case 'wss': {
        const m = secure();
        return { protocol, host, port: claim(sip.wssPort, 'SIP_WSS_PORT'), cert: m.cert, key: m.key, ...(m.ca ? { ca: m.ca } : {}) };
      }
      default: {
        const unknown: never = protocol;
        throw new ConfigError(`SIP_TRANSPORTS: unknown transport ${String(unknown)}`);
      }
    }
  });
}
