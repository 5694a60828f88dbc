import { randomBytes } from 'node:crypto';
import type { CommandDispatcher } from '../commands/dispatch/command-dispatcher.ts';
import { CommandRejectedError } from '../commands/dispatch/command-rejected-error.ts';
import { setCredentialsFor } from '../commands/dispatch/user-credentials.ts';
import type { DomainEvent } from '../events/domain/domain-catalogue.ts';
import type { EventStore } from '../events/event-store.ts';
import type { Logger } from '../logging/logger.ts';

/** One demo account as printed for the operator; the password exists only in this object and on stdout. */
export interface DemoAccount {
  readonly sipUri: string;
  readonly displayName: string;
  readonly lineUri: string;
  readonly password: string;
}

/** The demo users: name, display name and the last digits of a line URI in the 555-01xx fictional range. */
export const DEMO_USERS = [
  { user: 'alice', displayName: 'Alice Demo', lineUri: 'tel:+15550100001' },
  { user: 'bob', displayName: 'Bob Demo', lineUri: 'tel:+15550100002' },
  { user: 'carol', displayName: 'Carol Demo', lineUri: 'tel:+15550100003' },
] as const;

export interface DemoDomainOptions {
  readonly store: EventStore<DomainEvent>;
  readonly dispatcher: CommandDispatcher;
  /** CHORUS_DOMAIN. */
  readonly domain: string;
  readonly log: Logger;
  /** Default: 18 random bytes, base64url (24 characters). */
  readonly newPassword?: () => string;
}

/** Strong enough for a lab, and typeable: base64url has no characters softphone forms choke on. */
function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Provisions alice, bob and carol in `domain`, each with Enterprise Voice, a
 * line URI and a random SIP password — but only on an EMPTY log (head 0): a
 * log that holds anything belongs to someone, and the demo must never add
 * users to it. Resolves to the accounts written (empty when the log was not
 * empty). If another node provisions the same user first, that user is left
 * out (its password is not ours to print).
 */
export async function provisionDemoDomain(options: DemoDomainOptions): Promise<readonly DemoAccount[]> {
  const { store, dispatcher, domain, log } = options;
  const newPassword = options.newPassword ?? randomPassword;
  const head = await store.headPosition();
  if (head !== 0n) {
    log.debug({ head: String(head) }, 'log is not empty: no demo domain');
    return [];
  }
  const accounts: DemoAccount[] = [];
  for (const u of DEMO_USERS) {
    const sipUri = `sip:${u.user}@${domain}`;
    const password = newPassword();
    try {
      await dispatcher.user(
        sipUri,
        [
          {
            type: 'ProvisionUser',
            data: { sipUri, displayName: u.displayName, lineUri: u.lineUri, enterpriseVoiceEnabled: true },
          },
          setCredentialsFor(sipUri, password),
        ],
        { actor: 'system:demo' },
      );
      accounts.push({ sipUri, displayName: u.displayName, lineUri: u.lineUri, password });
    } catch (error) {
      if (error instanceof CommandRejectedError && error.code === 'already_provisioned') {
        log.info({ sipUri }, 'demo user already provisioned by another node');
        continue;
      }
      throw error;
    }
  }
  log.info({ domain, users: accounts.map((a) => a.sipUri) }, 'demo domain provisioned');
  return accounts;
}
