import type { AnalyticsAnswer } from '../api/contract/analytics-contract.ts';

/** Left-aligned columns, two spaces apart; a header row first. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}

const percent = (ratio: number | null): string => (ratio === null ? '-' : `${(ratio * 100).toFixed(1)}%`);
const orDash = (value: number | null): string => (value === null ? '-' : String(value));

/** An analytics answer as a terminal table (`--json` prints the answer itself). */
export function formatAnalytics(answer: AnalyticsAnswer): string {
  switch (answer.report) {
    case 'calls-per-hour':
      if (answer.rows.length === 0) return 'no calls in the range\n';
      return table([
        ['HOUR (UTC)', 'ATTEMPTS', 'ANSWERED', 'ASR', 'COMPLETED', 'TALK S'],
        ...answer.rows.map((r) => [r.hour, String(r.attempts), String(r.answered), percent(r.answerSeizureRatio), String(r.completed), String(r.talkSeconds)]),
      ]);
    case 'call-durations':
      return table([
        ['CALLS', 'ATTEMPTS', 'ASR', 'P50 S', 'P90 S', 'P99 S', 'MAX S', 'MEAN S'],
        [
          String(answer.calls),
          String(answer.attempts),
          percent(answer.answerSeizureRatio),
          orDash(answer.p50),
          orDash(answer.p90),
          orDash(answer.p99),
          orDash(answer.max),
          orDash(answer.mean),
        ],
      ]);
    case 'presence-time':
      if (answer.rows.length === 0) return `no presence in the range (as of ${answer.asOf})\n`;
      return table([['USER', 'DAY', 'AVAILABILITY', 'SECONDS'], ...answer.rows.map((r) => [r.sipUri, r.day, r.availability, String(r.seconds)])]);
    case 'im-volume':
      if (answer.rows.length === 0) return 'no IM in the range\n';
      return table([
        ['DAY', 'USER', 'SESSIONS', 'SENT', 'RECEIVED'],
        ...answer.rows.map((r) => [r.day, r.sipUri, String(r.sessionsStarted), String(r.messagesSent), String(r.messagesReceived)]),
      ]);
    case 'conference-attendance':
      if (answer.rows.length === 0) return 'no conferences scheduled in the range\n';
      return table([
        ['CONFERENCE', 'SCHEDULED FOR', 'ATTENDEE', 'STAYS', 'SECONDS IN', 'PRESENT'],
        ...answer.rows.flatMap((c) => [
          [c.conferenceId, c.scheduledFor, `(${c.attendees} attendees)`, '', String(c.attendedSeconds), ''],
          ...c.participants.map((p) => ['', '', p.participant, String(p.stays), String(p.attendedSeconds), p.present ? 'yes' : 'no']),
        ]),
      ]);
    default: {
      const unreachable: never = answer;
      throw new Error(`unknown report ${JSON.stringify(unreachable)}`);
    }
  }
}
