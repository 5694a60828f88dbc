import type pg from 'pg';

export interface NotificationListenerOptions {
  readonly pool: pg.Pool;
  readonly channel: string;
  /** Called for every notification on the channel, and after each (re)connect since some may have been missed. */
  readonly onWake: () => void;
  /** Delay before reconnecting after the LISTEN connection drops. Default 1 s. */
  readonly reconnectDelayMs?: number;
}

/**
 * Holds one connection in LISTEN so this process hears commits made by others.
 * Notifications are only hints — the subscriber re-reads the log — so a lost
 * one costs at most the poll interval, and a dropped connection is simply
 * re-established in the background.
 */
export class NotificationListener {
  readonly #options: NotificationListenerOptions;
  #connection: pg.PoolClient | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #closed = false;

  private constructor(options: NotificationListenerOptions) {
    this.#options = options;
  }

  /** Resolves once LISTEN is active, so appends after this are heard. */
  static async start(options: NotificationListenerOptions): Promise<NotificationListener> {
    const listener = new NotificationListener(options);
    await listener.#connect();
    return listener;
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const connection = this.#connection;
    this.#connection = null;
    // Destroy rather than return to the pool: a LISTENing session must not be reused by queries.
    connection?.release(true);
  }

  async #connect(): Promise<void> {
    const connection = await this.#options.pool.connect();
    const onError = (): void => {
      connection.off('notification', onNotification);
      if (this.#connection === connection) this.#connection = null;
      connection.release(true);
      this.#scheduleReconnect();
    };
    const onNotification = (message: pg.Notification): void => {
      if (message.channel === this.#options.channel) this.#options.onWake();
    };
    connection.on('notification', onNotification);
    connection.once('error', onError);
    try {
      // Identifiers cannot be bound parameters; the channel is a fixed constant, quoted anyway.
      await connection.query(`LISTEN "${this.#options.channel.replace(/"/g, '""')}"`);
    } catch (err) {
      connection.off('error', onError);
      connection.release(true);
      throw err;
    }
    if (this.#closed) {
      connection.release(true);
      return;
    }
    this.#connection = connection;
    this.#options.onWake();
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect().catch(() => this.#scheduleReconnect());
    }, this.#options.reconnectDelayMs ?? 1000);
  }
}
