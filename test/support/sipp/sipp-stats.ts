import { z } from 'zod';

/**
 * The counters of SIPp's statistics file (-trace_stat -stf), cumulative columns "(C)".
 * SIPp rewrites the file's last line every -fd period and once more when it exits, so the last
 * line holds the final counts.
 */
export interface SippCounters {
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly incoming: number;
  readonly outgoing: number;
  readonly retransmissions: number;
  readonly deadCallMessages: number;
  /** Every non-zero `Failed…(C)` column (why calls failed), e.g. `{ FailedMaxUDPRetrans: 3 }`. */
  readonly failures: Readonly<Record<string, number>>;
}

const count = z.coerce.number().int().nonnegative();

/** Parses SIPp's ';'-separated statistics CSV; throws when the file has no data line. */
export function parseSippStats(csv: string): SippCounters {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0];
  const last = lines.at(-1);
  if (header === undefined || last === undefined || lines.length < 2) throw new Error('SIPp statistics file has no data line');
  const names = header.split(';');
  const values = last.split(';');
  const column = (name: string): number => {
    const index = names.indexOf(name);
    if (index < 0) throw new Error(`SIPp statistics file has no column ${name}`);
    return count.parse(values[index]);
  };
  const failures: Record<string, number> = {};
  names.forEach((name, index) => {
    const match = /^(Failed\w+)\(C\)$/.exec(name);
    if (!match?.[1] || name === 'FailedCall(C)') return;
    const value = count.safeParse(values[index]);
    if (value.success && value.data > 0) failures[match[1]] = value.data;
  });
  return {
    created: column('TotalCallCreated'),
    successful: column('SuccessfulCall(C)'),
    failed: column('FailedCall(C)'),
    incoming: column('IncomingCall(C)'),
    outgoing: column('OutgoingCall(C)'),
    retransmissions: column('Retransmissions(C)'),
    deadCallMessages: column('DeadCallMsgs(C)'),
    failures,
  };
}
