import type { HeaderInit } from '../sip/message.ts';

/** Methods that belong to sessions (RFC 3261, 3262, 3311, 3515, 6086): the call router's. */
export const SESSION_METHODS: ReadonlySet<string> = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'PRACK', 'UPDATE', 'INFO', 'REFER']);

/** SIP events (RFC 6665, RFC 3903): the presence server's. */
export const EVENT_METHODS: ReadonlySet<string> = new Set(['SUBSCRIBE', 'NOTIFY', 'PUBLISH']);

/**
 * What this server can do, for OPTIONS (RFC 3261 §11.2) and for the Allow of
 * 405/501 answers. Presence methods and PIDF are listed only once a presence
 * server is installed: advertising SUBSCRIBE while answering it 501 would send
 * clients into a loop of failing subscriptions.
 */
export function capabilityHeaders(options: { readonly presence: boolean; readonly supportedOptionTags: readonly string[] }): HeaderInit[] {
  const methods = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'MESSAGE', 'PRACK', 'UPDATE', 'INFO', 'REFER'];
  const accept = ['application/sdp', 'text/plain', 'message/cpim', 'application/im-iscomposing+xml'];
  if (options.presence) {
    methods.push('SUBSCRIBE', 'NOTIFY', 'PUBLISH');
    accept.push('application/pidf+xml');
  }
  return [
    ['Allow', methods.join(', ')],
    ['Accept', accept.join(', ')],
    ['Accept-Encoding', 'identity'],
    ['Accept-Language', 'en'],
    // RFC 3261 §20.37: an empty Supported says "no extensions", which is the truth when none are configured.
    ['Supported', options.supportedOptionTags.join(', ')],
  ];
}

/** The Allow header alone (405 needs it, RFC 3261 §8.2.1; a 501 carries it as a courtesy). */
export function allowHeader(options: { readonly presence: boolean }): HeaderInit {
  const allow = capabilityHeaders({ presence: options.presence, supportedOptionTags: [] }).find(([name]) => name === 'Allow');
  if (!allow) throw new Error('capabilityHeaders lost its Allow');
  return allow;
}
