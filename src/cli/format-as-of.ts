import type { ReplayCallResult, ReplayConferenceResult, ReplayRoutingResult } from '../api/contract/replay-as-of-contract.ts';
import type { CallRoute } from '../events/domain/call-events.ts';

/** A route in one line, as `chorus replay --call` and `chorus whatif` print it. */
export function describeRoute(route: CallRoute): string {
  return route.kind === 'user'
    ? `user ${route.target} → ${route.contacts.join(', ')}`
    : `pstn ${route.number} via route ${route.routeName} (policy ${route.voicePolicy}, usage ${route.pstnUsage}) gateways ${route.gateways.join(' → ')}`;
}

/** `chorus replay --conference`: roster, lock and roles, one fact per line. */
export function formatConferenceReplay(result: ReplayConferenceResult): string {
  const { state } = result;
  const lines = [
    `conference ${result.conferenceId} as of ${result.at} (log position ${result.position})`,
    `  status         ${state.status}, organizer ${state.organizer}`,
    `  access         ${state.access}${state.locked ? ' (locked)' : ''}`,
  ];
  if (state.roster.length === 0) lines.push('  roster         empty');
  for (const p of state.roster) lines.push(`  participant    ${p.participant} ${p.role} [${p.modalities.join(', ')}]${p.muted ? ' muted' : ''}`);
  for (const l of state.lobby) lines.push(`  in lobby       ${l.participant} ${l.role} [${l.modality}]`);
  return `${lines.join('\n')}\n`;
}

/** `chorus replay --call`: the call's state and each leg. */
export function formatCallReplay(result: ReplayCallResult): string {
  const { state } = result;
  const lines = [
    `call ${result.sipCallId} as of ${result.at} (log position ${result.position})`,
    `  status         ${state.status}`,
    `  caller         ${state.caller} dialled ${state.dialledString}${state.normalizedNumber !== null && state.normalizedNumber !== state.dialledString ? ` (normalized ${state.normalizedNumber})` : ''} at ${state.initiatedAt}`,
  ];
  for (const f of state.forwards) lines.push(`  forwarded      ${f.reason}: ${f.from} → ${f.to} at ${f.at}`);
  if (state.legs.length === 0) lines.push('  legs           none');
  state.legs.forEach((leg, i) =>
    lines.push(
      `  leg ${String(i + 1).padEnd(10)} ${describeRoute(leg.route)} at ${leg.at}${leg.ringing ? `; rang ${leg.ringing}` : ''}${leg.answeredBy ? `; answered by ${leg.answeredBy}` : ''}`,
    ),
  );
  if (state.ended) lines.push(`  ended          ${state.ended.cause}${state.ended.sipStatus === null ? '' : ` (${state.ended.sipStatus})`} at ${state.ended.at}, ${state.ended.durationSeconds} s`);
  return `${lines.join('\n')}\n`;
}

/** `chorus replay --routing`: the configuration items, then each user's routing settings. */
export function formatRoutingReplay(result: ReplayRoutingResult): string {
  const { state } = result;
  const lines = [`routing configuration as of ${result.at} (log position ${result.position})`];
  for (const p of state.dialPlans) {
    lines.push(`  dial plan      ${p.name}`);
    for (const r of p.rules) lines.push(`    ${r.pattern} → ${r.translation}`);
  }
  for (const p of state.voicePolicies) lines.push(`  voice policy   ${p.name}: usages ${p.pstnUsages.join(', ') || 'none'}`);
  for (const r of state.pstnRoutes)
    lines.push(`  pstn route     ${r.name} (priority ${r.priority}) ${r.numberPattern} usages ${r.pstnUsages.join(', ')} gateways ${r.gateways.join(' → ')}`);
  for (const g of state.gateways) lines.push(`  gateway        ${g.name} ${g.address} ${g.transport}`);
  for (const u of state.users) {
    const forwards = Object.entries(u.forwarding)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    lines.push(
      `  user           ${u.sipUri}${u.lineUri ? ` ${u.lineUri}` : ''}${u.enterpriseVoiceEnabled ? ` EV dial plan ${u.dialPlan ?? '-'} policy ${u.voicePolicy ?? '-'}` : ''}${forwards.length > 0 ? `; forward ${forwards.join(', ')}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
