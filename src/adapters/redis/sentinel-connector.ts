// ioredis's Sentinel connector, with its failover detector tied to the connection it watches.
//
// The detector (subscribed to the sentinels' +switch-master) is built when a connection to the
// primary opens, and ioredis leaves it subscribed after that connection is lost. While the client
// reconnects, the failover's +switch-master then reaches the old detector, which closes the
// connector in the middle of asking a sentinel for the primary; that attempt rejects with
// "Connection is closed." and ioredis sets the client's status to "end": it never reconnects
// again. With sentinels that answer in 150 ms, every one of 20 clients ended at a failover
// (test/faults/sentinel-slow.test.ts); under load it took the service's own connection in CI.
// A detector only matters while its connection is open, so a new attempt drops the old one first;
// the next connection subscribes afresh (ioredis 5.11.1 and 6.1.0 have the same code).

import { SentinelConnector, type SentinelConnectionOptions } from 'ioredis';

type Detector = { cleanup(): void };

export class WatchedSentinelConnector extends SentinelConnector {
  /** ioredis hands a `Connector` the client's options untyped; they are the Sentinel options here. */
  constructor(options: unknown) {
    super(options as SentinelConnectionOptions);
  }

  override connect(...args: Parameters<SentinelConnector['connect']>): ReturnType<SentinelConnector['connect']> {
    // `failoverDetector` is private in ioredis's types; it is the field its own disconnect() cleans.
    // Cleaned once: each cleanup adds a listener to the sentinel sockets it closes.
    const self = this as unknown as { failoverDetector?: Detector | null };
    self.failoverDetector?.cleanup();
    self.failoverDetector = null;
    return super.connect(...args);
  }
}
