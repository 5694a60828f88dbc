import { DomainError } from '../domain-error.ts';

/**
 * Dial-plan patterns and translations are JavaScript RegExp sources and
 * String.prototype.replace replacements. They are checked when defined, so a
 * rule that would throw or silently produce `$3` literally never reaches the
 * call path.
 */

export function compilePattern(pattern: string, where: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DomainError('invalid_regex', `${where}: ${JSON.stringify(pattern)} is not a valid regular expression (${reason})`);
  }
}

interface CaptureGroups {
  readonly count: number;
  readonly names: ReadonlySet<string>;
}

/** Counts groups by matching the empty string against `(?:source)|`: the empty branch always matches, every group is reported. */
function captureGroups(re: RegExp): CaptureGroups {
  const match = new RegExp(`(?:${re.source})|`).exec('')!;
  return { count: match.length - 1, names: new Set(Object.keys(match.groups ?? {})) };
}

/**
 * Checks every `$` reference of a replacement the way GetSubstitution reads it
 * (ECMA-262 §22.1.3.19.1): `$nn` is a two-digit group when that group exists,
 * else `$n` one digit followed by a literal digit. A reference to a group the
 * pattern does not have (or `$0`) is an error here, not a literal.
 */
export function assertTranslationFits(re: RegExp, translation: string, where: string): void {
  const groups = captureGroups(re);
  const fail = (ref: string): never => {
    throw new DomainError(
      'invalid_regex',
      `${where}: translation ${JSON.stringify(translation)} refers to ${ref}, but /${re.source}/ has ${groups.count} capture group(s)`,
    );
  };
  for (let i = 0; i < translation.length; i++) {
    if (translation[i] !== '$') continue;
    const next = translation[i + 1];
    if (next === undefined) break;
    if (next === '$' || next === '&' || next === '`' || next === "'") {
      i++;
      continue;
    }
    if (next === '<') {
      const close = translation.indexOf('>', i + 2);
      const name = close < 0 ? '' : translation.slice(i + 2, close);
      if (!groups.names.has(name)) fail(`$<${name}>`);
      i = close;
      continue;
    }
    if (next >= '0' && next <= '9') {
      const after = translation[i + 2];
      const two = after !== undefined && after >= '0' && after <= '9' ? Number(next + after) : NaN;
      if (two >= 1 && two <= groups.count) {
        i += 2;
        continue;
      }
      const one = Number(next);
      if (one < 1 || one > groups.count) fail(`$${next}`);
      i++;
    }
  }
}
