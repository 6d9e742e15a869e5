/**
 * One lifecycle for every long-running thread of a process (Agrona's Agent idea): each role is an
 * {@link org.agrona.concurrent.Agent}, started by {@link io.followermaze.lifecycle.Roles} on its
 * own named platform thread and stopped there in reverse order.
 *
 * <pre>
 *  Roles.start(agent) ──▶ AgentRunner ──▶ doWork() ─┬─ work / idle ──▶ next cycle
 *                                                   ├─ exception ──▶ counted, logged, next cycle
 *                                                   └─ died (Error, unexpected end)
 *                                                          └──▶ not ready; onDeath: exit non-zero
 * </pre>
 */
package io.followermaze.lifecycle;
