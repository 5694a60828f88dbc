import { networkInterfaces } from 'node:os';
import type { DemoAccount } from './demo-domain.ts';

/**
 * The address a softphone on another machine should use as registrar/outbound
 * proxy: the bind address when it is a specific one, else the first external
 * IPv4 address of this host, else loopback.
 */
export function registrarHost(bindHost: string): string {
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return bindHost;
  for (const addresses of Object.values(networkInterfaces())) {
    const external = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (external) return external.address;
  }
  return '127.0.0.1';
}

export interface DemoBannerOptions {
  readonly domain: string;
  readonly accounts: readonly DemoAccount[];
  /** Host softphones send REGISTER to. */
  readonly registrarHost: string;
  readonly sipPort: number;
}

/** The block printed once on stdout when the demo domain is provisioned: everything a softphone needs, nothing else. */
export function formatDemoBanner(options: DemoBannerOptions): string {
  const { domain, accounts } = options;
  const rule = '='.repeat(72);
  const uriWidth = Math.max(...accounts.map((a) => a.sipUri.length), 'SIP URI'.length) + 2;
  const passwordWidth = Math.max(...accounts.map((a) => a.password.length), 'password'.length) + 2;
  const row = (uri: string, password: string, line: string): string =>
    `  ${uri.padEnd(uriWidth)}${password.padEnd(passwordWidth)}${line}`;
  return [
    rule,
    `Chorus demo domain ${domain}: register any SIP softphone with one of these accounts`,
    '',
    row('SIP URI', 'password', 'line URI'),
    ...accounts.map((a) => row(a.sipUri, a.password, a.lineUri)),
    '',
    `  username      = the part before @ (alice, bob, carol)`,
    `  domain/realm  = ${domain}`,
    `  registrar     = ${options.registrarHost}:${options.sipPort} (UDP or TCP; set it as outbound proxy)`,
    '',
    'The passwords are shown only now; the log keeps digest hashes, not passwords.',
    'Set CHORUS_DEMO=off to start without demo users.',
    rule,
    '',
  ].join('\n');
}
