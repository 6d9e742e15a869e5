/**
 * The durable dead-letter store on embedded SQLite (WAL), stored once and pointed to per recipient.
 *
 * <pre>
 * append (hot path) ──▶ dlq_inbox (blocks as encoded) + dlq_count (counters, same transaction)
 *                           │ Indexer + Transpose, when appends pause (one transaction per pass)
 *                           ▼
 *                 dlq_event (events once)   dlq_pointer (per user and reason: event numbers)
 *                           ▲                         ▲
 *     LetterReader / ParkedQuery (list, show, redrive order)   LetterRemover (retention, purge)
 * </pre>
 *
 * {@link io.followermaze.dlq.sqlite.SqliteDeadLetterStore} is the facade; the schema is in {@link
 * io.followermaze.dlq.sqlite.SqliteSchema} and docs/dead-letters.md.
 */
package io.followermaze.dlq.sqlite;
