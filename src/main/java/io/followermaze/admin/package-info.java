/**
 * Operations: the admin HTTP server ({@code /health}, {@code /ready}, {@code /metrics} in
 * Prometheus format via Micrometer, {@code /stats} windowed rates). It only reads the engine's
 * published counters and the dead-letter components' own counters, so it never touches the hot
 * path.
 */
package io.followermaze.admin;
