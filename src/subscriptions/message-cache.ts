import { comparePositions, decodePosition, type LogPosition } from "../event-store/position.ts";

/**
 * A broadcaster shard's last N messages and per-topic stats, in the Durable
 * Object's SQLite storage so an eviction loses neither. Publishers assign the
 * ids (log positions "<txid>-<seq>"), so every shard holds the same messages
 * under the same ids, and a redelivered batch is recognised and ignored.
 */

// Not `unknown` (RPC types refuse it) nor a recursive JSON type (too deep for
// the RPC type mapping): one level, as event payloads are JSON objects.
export type MessagePayload = { [key: string]: string | number | boolean | null | object };
export type PubSubMessage = { id: string; topic: string; payload: MessagePayload; timestamp: string; source: string };
export type TopicStats = { topic: string; messageCount: number; lastMessageAt: string | null; messagesPerSecond: number };

/** Messages per second are counted over this trailing window. */
const RATE_WINDOW_MS = 60_000;

export class MessageCache {
  /** The second whose stale rates were last dropped: once a second is enough, `stats` reads only the window. */
  #ratesTrimmedFor = -1;
  /**
   * Each topic's last stored id, read from storage once per topic and then
   * kept here: this object is the only writer of its storage, so a SELECT per
   * topic and publish (every event push and report batch) only read it back.
   */
  #lastIds = new Map<string, LogPosition | undefined>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly capacity: number,
  ) {
    // seq keeps arrival order (= log order per topic) for eviction and replay.
    sql.exec(`CREATE TABLE IF NOT EXISTS message (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, topic TEXT NOT NULL,
      payload TEXT NOT NULL, timestamp TEXT NOT NULL, source TEXT NOT NULL)`);
    sql.exec("CREATE INDEX IF NOT EXISTS message_topic ON message (topic, seq)");
    // Arrivals per topic and second, for the rate: evicted messages still count.
    sql.exec("CREATE TABLE IF NOT EXISTS topic_second (topic TEXT NOT NULL, second INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (topic, second))");
    sql.exec(`CREATE TABLE IF NOT EXISTS topic (
      name TEXT PRIMARY KEY, last_id TEXT NOT NULL, message_count INTEGER NOT NULL, last_message_at TEXT NOT NULL)`);
    // The newest message of each topic that eviction dropped: a cursor before it has a gap.
    sql.exec("CREATE TABLE IF NOT EXISTS topic_evicted (name TEXT PRIMARY KEY, through_id TEXT NOT NULL)");
  }

  /**
   * Stores the messages not seen before, in order; returns them (the ones to
   * deliver). A batch costs one INSERT per message, and its topics' last ids,
   * counts and rates once per topic (telemetry batches carry tens of reports);
   * the last ids are checked against memory, not read back.
   */
  publish(messages: readonly PubSubMessage[], now = Date.now()): PubSubMessage[] {
    const accepted: PubSubMessage[] = [];
    const topics = new Map<string, { last: LogPosition | undefined; accepted: PubSubMessage[] }>();
    for (const message of messages) {
      let topic = topics.get(message.topic);
      if (!topic) {
        topic = { last: this.#lastId(message.topic), accepted: [] };
        topics.set(message.topic, topic);
      }
      const position = decodePosition(message.id);
      if (topic.last && comparePositions(position, topic.last) <= 0) continue;
      this.sql.exec(
        "INSERT INTO message (id, topic, payload, timestamp, source) VALUES (?, ?, ?, ?, ?)",
        message.id, message.topic, JSON.stringify(message.payload), message.timestamp, message.source,
      );
      topic.last = position;
      topic.accepted.push(message);
      accepted.push(message);
    }
    if (accepted.length === 0) return accepted;
    for (const [name, topic] of topics) {
      const newest = topic.accepted.at(-1);
      if (!newest) continue;
      this.sql.exec(
        `INSERT INTO topic (name, last_id, message_count, last_message_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, message_count = message_count + excluded.message_count, last_message_at = excluded.last_message_at`,
        name, newest.id, topic.accepted.length, newest.timestamp,
      );
      this.#lastIds.set(name, topic.last);
      this.sql.exec(
        "INSERT INTO topic_second (topic, second, n) VALUES (?, ?, ?) ON CONFLICT (topic, second) DO UPDATE SET n = n + excluded.n",
        name, Math.floor(now / 1000), topic.accepted.length,
      );
    }
    const evictedUpTo = `(SELECT MAX(seq) FROM message) - ${this.capacity}`;
    // seq order is log order within a topic, so each topic's newest evicted row is its MAX(seq).
    this.sql.exec(
      `INSERT INTO topic_evicted (name, through_id)
       SELECT topic, id FROM (SELECT topic, id, MAX(seq) FROM message WHERE seq <= ${evictedUpTo} GROUP BY topic) WHERE true
       ON CONFLICT (name) DO UPDATE SET through_id = excluded.through_id`,
    );
    this.sql.exec(`DELETE FROM message WHERE seq <= ${evictedUpTo}`);
    const stale = Math.floor((now - RATE_WINDOW_MS) / 1000);
    if (stale !== this.#ratesTrimmedFor) {
      this.sql.exec("DELETE FROM topic_second WHERE second <= ?", stale);
      this.#ratesTrimmedFor = stale;
    }
    return accepted;
  }

  #lastId(topic: string): LogPosition | undefined {
    if (!this.#lastIds.has(topic)) {
      const row = this.sql.exec<{ last_id: string }>("SELECT last_id FROM topic WHERE name = ?", topic).toArray()[0];
      this.#lastIds.set(topic, row ? decodePosition(row.last_id) : undefined);
    }
    return this.#lastIds.get(topic);
  }

  /** The newest `limit` messages (of one topic, or all), oldest first. */
  recent(topic: string | null, limit: number): PubSubMessage[] {
    const rows = topic === null
      ? this.sql.exec<MessageRow>("SELECT * FROM message ORDER BY seq DESC LIMIT ?", limit)
      : this.sql.exec<MessageRow>("SELECT * FROM message WHERE topic = ? ORDER BY seq DESC LIMIT ?", topic, limit);
    return rows.toArray().reverse().map(toMessage);
  }

  /**
   * A topic's messages after the cursor `after` (a message id), oldest first;
   * "too-old" when eviction already dropped one of them, so replaying would leave a gap.
   */
  since(topic: string, after: LogPosition): PubSubMessage[] | "too-old" {
    const evicted = this.sql.exec<{ through_id: string }>("SELECT through_id FROM topic_evicted WHERE name = ?", topic).toArray()[0];
    if (evicted && comparePositions(after, decodePosition(evicted.through_id)) < 0) return "too-old";
    // Newest first, stopping at the cursor: a recent cursor reads a few rows, not the whole cache.
    const newer: PubSubMessage[] = [];
    for (const row of this.sql.exec<MessageRow>("SELECT * FROM message WHERE topic = ? ORDER BY seq DESC", topic)) {
      if (comparePositions(decodePosition(row.id), after) <= 0) break;
      newer.push(toMessage(row));
    }
    return newer.reverse();
  }

  stats(now = Date.now()): TopicStats[] {
    const rates = new Map(
      this.sql
        .exec<{ topic: string; n: number }>("SELECT topic, SUM(n) AS n FROM topic_second WHERE second > ? GROUP BY topic", Math.floor((now - RATE_WINDOW_MS) / 1000))
        .toArray()
        .map((row) => [row.topic, row.n / (RATE_WINDOW_MS / 1000)]),
    );
    return this.sql
      .exec<{ name: string; message_count: number; last_message_at: string }>("SELECT * FROM topic ORDER BY name")
      .toArray()
      .map((row) => ({ topic: row.name, messageCount: row.message_count, lastMessageAt: row.last_message_at, messagesPerSecond: rates.get(row.name) ?? 0 }));
  }
}

type MessageRow = { id: string; topic: string; payload: string; timestamp: string; source: string };

function toMessage(row: MessageRow): PubSubMessage {
  return { id: row.id, topic: row.topic, payload: JSON.parse(row.payload) as MessagePayload, timestamp: row.timestamp, source: row.source };
}
