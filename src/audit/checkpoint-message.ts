/**
 * What a checkpoint signature covers: canonical JSON (keys in code-unit
 * order, no whitespace) of the position, the chain hash at that position and a
 * fixed purpose string, so a signature made for something else can never pass
 * as a checkpoint. The position is a decimal string (positions are bigint).
 */
export const CHECKPOINT_PURPOSE = 'chorus.audit.checkpoint.v1';

export function checkpointMessage(position: bigint, chainHashHex: string): string {
  return `{"chainHash":"${chainHashHex}","position":"${position}","purpose":"${CHECKPOINT_PURPOSE}"}`;
}
