import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export interface BaresipConfigOptions {
  readonly sipHost: string;
  readonly sipPort: number;
  readonly ctrlPort: number;
  /** First RTP port; baresip uses [rtpPort, rtpPort + 99]. */
  readonly rtpPort: number;
  /** baresip's module folder. Default /usr/lib/baresip/modules (Debian baresip-core). */
  readonly modulePath?: string;
  /** More application modules to load after the default ones, e.g. `contact.so`, `presence.so`. Default none. */
  readonly appModules?: readonly string[];
}

/**
 * The `config` of a headless UA. Only modules that Debian's baresip-core ships and that need no
 * device: g711 (PCMU/PCMA), ausine (a 440 Hz tone as microphone), aubridge (a player that goes
 * nowhere), account, menu (the dial/accept/hangup/uanew commands) and ctrl_tcp (JSON control).
 * ausine only produces 48 kHz stereo, hence ausrc_srate/ausrc_channels; the 8 kHz codec gets it
 * through baresip's resampler. baresip also binds sipPort + 1 for SIP over TLS.
 */
export function baresipConfig(options: BaresipConfigOptions): string {
  const lines = [
    'poll_method\t\tepoll',
    `sip_listen\t\t${options.sipHost}:${options.sipPort}`,
    'sip_trans_def\t\tudp',
    'call_local_timeout\t120',
    'call_max_calls\t\t4',
    'audio_player\t\taubridge,sink',
    'audio_alert\t\taubridge,alert',
    'audio_source\t\tausine,440',
    'ausrc_srate\t\t48000',
    'ausrc_channels\t\t2',
    `rtp_ports\t\t${options.rtpPort}-${options.rtpPort + 99}`,
    `module_path\t\t${options.modulePath ?? '/usr/lib/baresip/modules'}`,
    'module\t\t\tg711.so',
    'module\t\t\tausine.so',
    'module\t\t\taubridge.so',
    'module_app\t\taccount.so',
    'module_app\t\tmenu.so',
    'module_app\t\tctrl_tcp.so',
    ...(options.appModules ?? []).map((m) => `module_app\t\t${m}`),
    `ctrl_tcp_listen\t\t127.0.0.1:${options.ctrlPort}`,
  ];
  return `${lines.join('\n')}\n`;
}

const accountToken = z.string().min(1).regex(/^[^;<>"\s]+$/, 'must not contain ; < > " or whitespace');

export const BaresipAccountSchema = z.object({
  /** user@domain */
  aor: accountToken.regex(/^[^@]+@[^@]+$/, 'must be user@domain'),
  password: accountToken,
  /** Where every request goes first (the registrar/proxy), e.g. `sip:127.0.0.1:5070`. */
  outbound: z.string().regex(/^sips?:[^"\s]+$/, 'must be a sip: URI'),
  /** Registration interval in seconds. Default 600. */
  regint: z.number().int().positive().default(600),
  /** manual: incoming calls ring until `accept`; auto: answered at once. Default manual. */
  answermode: z.enum(['manual', 'auto']).default('manual'),
});
export type BaresipAccount = z.input<typeof BaresipAccountSchema>;

/** One line of baresip's `accounts` syntax (also the argument of the `uanew` command). */
export function baresipAccountLine(account: BaresipAccount): string {
  const a = BaresipAccountSchema.parse(account);
  return `<sip:${a.aor}>;auth_pass=${a.password};outbound="${a.outbound}";regint=${a.regint};answermode=${a.answermode}`;
}

/**
 * Writes `config` and `accounts` into `dir` (baresip -f dir). The accounts file is left without
 * accounts on purpose: a UA listed there registers at start-up, before ctrl_tcp has a client, so
 * its REGISTER_OK/REGISTER_FAIL event would be lost; accounts are added with `uanew` instead.
 */
export async function writeBaresipConfig(dir: string, options: BaresipConfigOptions & { readonly contacts?: readonly string[] }): Promise<void> {
  await writeFile(join(dir, 'config'), baresipConfig(options));
  // The contact module reads its list at start-up (the presence module subscribes to each entry).
  if (options.contacts) await writeFile(join(dir, 'contacts'), `${options.contacts.join('\n')}\n`);
  await writeFile(join(dir, 'accounts'), '# accounts are added at run time with the ctrl_tcp command "uanew" (see baresip-ua.ts)\n');
}
