import type { ProxyEvents, ProxyOperation, ProxyResult } from '../../engine/proxy-operation.ts';
import { TypedEmitter } from '../../../util/typed-emitter.ts';

/**
 * The operation for a request that was never forwarded statefully (rejected
 * by the proxy, or an ACK sent on statelessly): `completed` fires on the next
 * microtask, like a real operation's first event.
 */
export class SettledOperation extends TypedEmitter<ProxyEvents> implements ProxyOperation {
  readonly result: Promise<ProxyResult>;

  constructor(result: ProxyResult) {
    super();
    this.result = Promise.resolve(result);
    queueMicrotask(() => this.emit('completed', result));
  }

  /** Nothing is being forwarded: there is no target set to grow. */
  addTargets(): boolean {
    return false;
  }
}
