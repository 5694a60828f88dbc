import type { WhatIfResultBody } from '../api/contract/replay-as-of-contract.ts';
import type { RoutingDecision } from '../compliance/what-if/routing-decision.ts';
import { describeRoute } from './format-as-of.ts';

function rows(decision: RoutingDecision | null): { number: string; forwards: string; outcome: string } {
  if (decision === null) return { number: '-', forwards: '-', outcome: '(no decision recorded)' };
  const outcome =
    decision.outcome.kind === 'route'
      ? describeRoute(decision.outcome.route)
      : `refused ${decision.outcome.status ?? '-'} (${decision.outcome.cause})`;
  return {
    number: decision.normalizedNumber ?? '-',
    forwards: decision.forwards.map((f) => `${f.reason}: ${f.from} → ${f.to}`).join('; ') || 'none',
    outcome,
  };
}

/** `chorus whatif`: recorded, as-of and alternative decisions side by side, one row per part of the decision. */
export function formatWhatIf(result: WhatIfResultBody): string {
  const alternative = result.alternative.source === 'current' ? 'current configuration' : 'proposed configuration';
  const columns = [
    ['', 'recorded (call events)', `as of ${result.decidedAt}`, alternative],
    ...(['number', 'forwards', 'outcome'] as const).map((part) => [
      part,
      rows(result.recorded)[part],
      rows(result.asOf)[part],
      rows(result.alternative.decision)[part],
    ]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...columns.map((row) => row[c]!.length)));
  const table = columns.map((row) => row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join(' │ ').trimEnd());
  return [
    `call ${result.sipCallId}: ${result.caller} dialled ${result.dialledString}`,
    ...table,
    result.recorded === null
      ? "the call's events hold no routing decision to compare with (set up in one instant by the call router)"
      : result.reproduced
        ? 'as-of replay reproduces the recorded decision'
        : 'as-of replay DIFFERS from the recorded decision',
    result.alternative.changed ? `the ${alternative} decides differently` : `the ${alternative} decides the same`,
    '',
  ].join('\n');
}
