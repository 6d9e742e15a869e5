/**
 * One lifecycle for every long-running thread of a process (Agrona's Agent idea). A node process
 * ({@code serve}, {@code sequencer}, {@code gateway}) lives one {@link
 * io.followermaze.lifecycle.Lifetime}: its one {@link io.followermaze.lifecycle.Roles}, what it
 * opened, and the one stop with its exit status. Each role is an {@link
 * org.agrona.concurrent.Agent} on its own named platform thread; only this package starts platform
 * threads.
 *
 * <pre>
 *  Lifetime ── open(part) … ── runUntilStopped ── SIGTERM / a role died ──▶ close parts, last first
 *     │                                                                      └─▶ halt 0 / 1 / 3 / 70
 *     └─ Roles.start(agent) ──▶ AgentRunner ──▶ doWork() ─┬─ work / idle ──▶ next cycle
 *                                                         ├─ exception ──▶ counted, logged, next cycle
 *                                                         └─ died (Error, unexpected end)
 *                                                                └──▶ not ready; the process stops (70)
 * </pre>
 */
package io.followermaze.lifecycle;
