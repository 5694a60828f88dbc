import type { ReplayResult } from '../api/contract/replay-contract.ts';

function forwardingLines(forwarding: unknown): string[] {
  if (forwarding === null || typeof forwarding !== 'object') return ['  forwarding     none'];
  const lines: string[] = [];
  for (const [kind, rule] of Object.entries(forwarding)) {
    if (rule === null || rule === undefined) continue;
    lines.push(`  forward ${kind.padEnd(12)} ${JSON.stringify(rule)}`);
  }
  return lines.length > 0 ? lines : ['  forwarding     none'];
}

/** `chorus replay` output: what a compliance officer reads, one fact per line. */
export function formatReplay(result: ReplayResult): string {
  const { state } = result;
  const p = state.presence;
  const lines = [
    `${result.user} as of ${result.at} (log position ${result.position})`,
    `  provisioned    ${state.provisioned ? 'yes' : 'no'}${state.displayName ? ` (${state.displayName})` : ''}${state.lineUri ? `, line ${state.lineUri}` : ''}`,
    `  presence       ${p.availability} (${p.code})${p.activity ? `, ${p.activity}` : ''}${p.note ? `, "${p.note}"` : ''} [${p.source}]`,
  ];
  if (state.registrations.length === 0) lines.push('  registrations  none');
  for (const r of state.registrations)
    lines.push(`  registered     ${r.contact} via ${r.transport} from ${r.sourceAddress} until ${r.expiresAt}${r.userAgent ? ` (${r.userAgent})` : ''}`);
  lines.push(...forwardingLines(state.forwarding));
  if (state.simultaneousRing.length > 0) lines.push(`  simultaneous   ${state.simultaneousRing.join(', ')}`);
  if (state.delegates.length > 0) lines.push(`  delegates      ${state.delegates.join(', ')}`);
  if (state.calls.length === 0) lines.push('  calls          none');
  for (const c of state.calls)
    lines.push(`  call           ${c.sipCallId}: ${c.caller} → ${c.callee ?? '(routing)'} ${c.answered ? 'answered' : 'not answered'}`);
  return `${lines.join('\n')}\n`;
}
