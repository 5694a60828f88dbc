import type { DialPlan, NormalizationRule } from '../../events/domain/voice-config-events.ts';

export interface NormalizationResult {
  /** The translated number, or the dialled string unchanged when no rule matched. */
  readonly number: string;
  /** The rule that applied; null when none matched. */
  readonly rule: NormalizationRule | null;
}

/**
 * Applies a dial plan: the first rule whose pattern matches the dialled string
 * wins, and its translation is applied with String.prototype.replace (so `$1`
 * is the first capture group). Like OCS, a number no rule matches goes on as
 * dialled; routing then decides whether it can be reached.
 */
export function normalizeNumber(dialPlan: Pick<DialPlan, 'rules'>, dialled: string): NormalizationResult {
  for (const rule of dialPlan.rules) {
    // No `g` flag: test() and replace() then keep no state between calls.
    const re = new RegExp(rule.pattern);
    if (re.test(dialled)) return { number: dialled.replace(re, rule.translation), rule };
  }
  return { number: dialled, rule: null };
}
