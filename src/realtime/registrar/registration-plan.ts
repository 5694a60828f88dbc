import { InstanceIdSchema } from '../../events/domain/endpoint-events.ts';
import { ContactUriSchema } from '../../events/domain/primitives.ts';
import { getParam } from '../sip/grammar.ts';
import type { HeaderInit, Headers } from '../sip/message.ts';
import type { ContactValue } from '../sip/name-addr.ts';
import { err, ok, type Result } from '../sip/result.ts';
import { formatUri } from '../sip/uri.ts';

/** Binding lifetimes the registrar accepts; every value in seconds. */
export type ExpiryLimits = {
  /** Shorter non-zero expiries get 423 Interval Too Brief with Min-Expires (RFC 3261 §10.3 step 7). */
  readonly minExpires: number;
  /** Used when neither the contact's `expires` nor an Expires header says. */
  readonly defaultExpires: number;
  /** Longer expiries are shortened to this (the registrar may, RFC 3261 §10.2.1.1). */
  readonly maxExpires: number;
};

/** One Contact of a REGISTER, as the registrar will apply it. */
export type ContactChange = {
  /** The contact URI (no header parameters), as the binding stores it. */
  readonly contact: string;
  /** 0 removes the binding. */
  readonly expires: number;
  /** RFC 5626 `+sip.instance`, without its quotes. */
  readonly instanceId: string | undefined;
  /** RFC 5626 `reg-id`; kept only with an instance id (§6: otherwise ignored). */
  readonly regId: number | undefined;
  /** RFC 3261 `q` as written (e.g. "0.7"). */
  readonly q: string | undefined;
};

export type RegistrationPlan =
  /** No Contact: list the current bindings (RFC 3261 §10.2.3). */
  | { readonly kind: 'query' }
  /** `Contact: *` with `Expires: 0`: remove every binding (§10.2.2). */
  | { readonly kind: 'remove-all' }
  | { readonly kind: 'update'; readonly changes: readonly ContactChange[] };

export type PlanRejection = { readonly status: number; readonly reason: string; readonly headers?: readonly HeaderInit[] };

const DELTA_SECONDS = /^[0-9]{1,10}$/;
const Q_VALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Reads what a REGISTER asks for (RFC 3261 §10.3 steps 6 and 7, RFC 5626 §6)
 * without touching any state. Malformed values get a 400 naming the field
 * rather than a silent default, so a misconfigured client learns what is wrong.
 */
export function planRegistration(headers: Headers, contacts: readonly ContactValue[], limits: ExpiryLimits): Result<RegistrationPlan, PlanRejection> {
  const expiresHeader = headers.get('Expires');
  let headerExpires: number | undefined;
  if (expiresHeader !== undefined) {
    const v = expiresHeader.trim();
    if (!DELTA_SECONDS.test(v)) return err({ status: 400, reason: 'Malformed Expires Header' });
    headerExpires = Number(v);
  }
  if (contacts.length === 0) return ok({ kind: 'query' });
  if (contacts.some((c) => c.kind === 'wildcard')) {
    // The parser already refuses "*" next to other contacts.
    if (headerExpires !== 0) return err({ status: 400, reason: 'Contact * Requires Expires: 0' });
    return ok({ kind: 'remove-all' });
  }

  const changes: ContactChange[] = [];
  let tooBrief = false;
  for (const c of contacts) {
    if (c.kind !== 'address') continue;
    const uri = formatUri(c.uri);
    if (!ContactUriSchema.safeParse(uri).success) return err({ status: 400, reason: 'Contact Must Be A sip: Or sips: URI' });
    const expiresParam = getParam(c.params, 'expires');
    let expires: number;
    if (expiresParam === undefined) expires = headerExpires ?? limits.defaultExpires;
    else if (expiresParam !== null && DELTA_SECONDS.test(expiresParam)) expires = Number(expiresParam);
    else return err({ status: 400, reason: 'Malformed Contact expires Parameter' });
    if (expires > 0 && expires < limits.minExpires) tooBrief = true;
    expires = Math.min(expires, limits.maxExpires);

    const q = getParam(c.params, 'q');
    if (q === null || (q !== undefined && !Q_VALUE.test(q))) return err({ status: 400, reason: 'Malformed Contact q Parameter' });

    const rawInstance = getParam(c.params, '+sip.instance');
    let instanceId: string | undefined;
    if (rawInstance !== undefined) {
      instanceId = rawInstance === null ? '' : unquote(rawInstance);
      if (!InstanceIdSchema.safeParse(instanceId).success) return err({ status: 400, reason: 'Malformed +sip.instance Parameter' });
    }
    const rawRegId = getParam(c.params, 'reg-id');
    let regId: number | undefined;
    if (rawRegId !== undefined) {
      regId = rawRegId !== null && /^[1-9][0-9]{0,9}$/.test(rawRegId) ? Number(rawRegId) : NaN;
      if (!(regId <= 2 ** 31 - 1)) return err({ status: 400, reason: 'Malformed reg-id Parameter' });
      if (instanceId === undefined) regId = undefined;
    }
    changes.push({ contact: uri, expires, instanceId, regId, q: q ?? undefined });
  }
  if (tooBrief) return err({ status: 423, reason: 'Interval Too Brief', headers: [['Min-Expires', String(limits.minExpires)]] });
  return ok({ kind: 'update', changes });
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}
