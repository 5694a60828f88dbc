import { isToken } from './grammar.ts';
import { err, ok, type Result } from './result.ts';

export type CSeq = { readonly seq: number; readonly method: string };

/** CSeq = 1*DIGIT LWS Method; the number must fit in 32 bits (RFC 3261 §8.1.1.5). */
export function parseCSeq(value: string): Result<CSeq> {
  const m = /^([0-9]+)[ \t]+(\S+)$/.exec(value.trim());
  if (!m) return err('Malformed CSeq');
  const digits = (m[1] ?? '').replace(/^0+(?=\d)/, '');
  if (digits.length > 10 || Number(digits) > 0xffffffff) return err('CSeq sequence number out of range');
  const method = m[2] ?? '';
  if (!isToken(method)) return err('Malformed CSeq method');
  return ok({ seq: Number(digits), method });
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}

/** Max-Forwards = 1*DIGIT in 0..255 (leading zeros allowed: "0068" is 68). */
export function parseMaxForwards(value: string): Result<number> {
  const v = value.trim();
  if (!/^[0-9]{1,5}$/.test(v)) return err('Malformed Max-Forwards');
  const n = Number(v);
  return n <= 255 ? ok(n) : err('Max-Forwards out of range');
}
