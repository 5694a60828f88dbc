import { AssignerProtocol, type GroupMemberAssignment, type PartitionAssigner } from 'kafkajs';
import { z } from 'zod';

/** What each member tells the group leader about itself. */
const MemberInfoSchema = z.object({ workerId: z.string().min(1) });

export const SPREAD_ASSIGNER_NAME = 'ChorusSpreadAssigner';

/**
 * A partition assigner that spreads the Pool's projections over projector
 * PROCESSES. Every projection has its own consumer group over the one-partition
 * log topic, so each group has exactly one partition to give. kafkajs's
 * round-robin gives it to the member whose random member id sorts first, which
 * may well be the same process for every group. Here each member announces its
 * stable worker id, and group `slot` (the projection's index in the
 * projector's list, the same in every process) goes to worker
 * `sorted(workerIds)[slot mod n]`: with n workers, each runs about 1/n of the
 * projections, and when one dies its groups move to the others.
 */
export function spreadAssigner(workerId: string, slot: number): PartitionAssigner {
  return ({ cluster }) => ({
    name: SPREAD_ASSIGNER_NAME,
    version: 0,
    async assign({ members, topics }) {
      const byWorker = new Map<string, string[]>();
      for (const { memberId, memberMetadata } of members) {
        const { userData } = AssignerProtocol.MemberMetadata.decode(memberMetadata) ?? { userData: Buffer.alloc(0) };
        let worker = memberId;
        try {
          worker = MemberInfoSchema.parse(JSON.parse(userData.toString('utf8'))).workerId;
        } catch {
          // A member without our metadata still gets work, under its member id.
        }
        byWorker.set(worker, [...(byWorker.get(worker) ?? []), memberId].sort());
      }
      const workers = [...byWorker.keys()].sort();
      const assignment = new Map<string, Record<string, number[]>>();
      let i = 0;
      for (const topic of [...topics].sort()) {
        const partitions = cluster
          .findTopicPartitionMetadata(topic)
          .map((p) => p.partitionId)
          .sort((a, b) => a - b);
        for (const partition of partitions) {
          const worker = workers[(slot + i++) % workers.length]!;
          const memberId = byWorker.get(worker)![0]!;
          const mine = assignment.get(memberId) ?? {};
          (mine[topic] ??= []).push(partition);
          assignment.set(memberId, mine);
        }
      }
      return members.map(
        ({ memberId }): GroupMemberAssignment => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 0,
            assignment: assignment.get(memberId) ?? {},
            userData: Buffer.alloc(0),
          }),
        }),
      );
    },
    protocol({ topics }) {
      return {
        name: SPREAD_ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 0,
          topics,
          userData: Buffer.from(JSON.stringify({ workerId })),
        }),
      };
    },
  });
}
