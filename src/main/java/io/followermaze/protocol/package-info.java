/**
 * The wire protocol at the edge of the server: framing bytes into lines, parsing a line into a
 * closed set of {@link io.followermaze.protocol.Event} records or a {@link
 * io.followermaze.protocol.Malformed} verdict, and reading a user client's id.
 *
 * <p>Every event keeps the exact bytes it arrived as (terminator included); clients receive those
 * bytes unchanged. Nothing here does I/O or keeps state beyond one connection's partial line.
 */
package io.followermaze.protocol;
