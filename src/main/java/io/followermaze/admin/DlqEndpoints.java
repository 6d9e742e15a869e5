package io.followermaze.admin;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterFormat;
import io.followermaze.dlq.DeadLetterStats;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The dead-letter queue over HTTP, with the same semantics as {@code followermaze dlq} (both call
 * {@link DlqOperations}): {@code GET /dlq} (filters, cursor {@code after_id}, {@code limit}),
 * {@code GET /dlq/stats}, {@code GET /dlq/{id}}, {@code POST /dlq/redrive} (filters, {@code rate},
 * {@code dry_run}), {@code GET /dlq/redrive/{id}}, {@code DELETE /dlq} (filters, or {@code
 * all=true}).
 */
final class DlqEndpoints {

  /**
   * An answer: status and JSON body.
   *
   * @param status the HTTP status
   * @param json the body
   */
  record Answer(int status, String json) {}

  private final DlqOperations dlq;

  DlqEndpoints(DlqOperations dlq) {
    this.dlq = dlq;
  }

  /** Answers {@code method path?query}; throws {@link IllegalArgumentException} for a 400. */
  Answer handle(String method, String path, QueryParameters query) {
    String rest = path.substring("/dlq".length());
    return switch (method
        + " "
        + (rest.isEmpty()
            ? "/"
            : rest.replaceFirst("^/\\d+$", "/{id}")
                .replaceFirst("^/redrive/\\d+$", "/redrive/{id}"))) {
      case "GET /" -> list(query);
      case "GET /stats" -> new Answer(200, stats(dlq.stats(), dlq.oldestByReason()));
      case "GET /{id}" ->
          dlq.get(Long.parseLong(rest.substring(1)))
              .map(letter -> new Answer(200, DeadLetterFormat.json(letter)))
              .orElseGet(
                  () ->
                      new Answer(
                          404, AdminJson.error("no dead letter with id " + rest.substring(1))));
      case "POST /redrive" -> redrive(query);
      case "GET /redrive/{id}" ->
          redriveStatus(Long.parseLong(rest.substring("/redrive/".length())));
      case "DELETE /" -> purge(query);
      default -> new Answer(404, AdminJson.error("no such endpoint: " + method + " " + path));
    };
  }

  private Answer list(QueryParameters query) {
    DeadLetterFilter filter = query.filter();
    Long after = query.number("after_id", 0, Long.MAX_VALUE);
    Long limit = query.number("limit", 1, DlqOperations.MAX_PAGE);
    DlqOperations.Page page =
        dlq.list(filter, after == null ? 0 : after, limit == null ? 100 : limit.intValue());
    return new Answer(
        200,
        "{\"letters\":" + array(page.letters()) + ",\"nextAfterId\":" + page.nextAfterId() + "}");
  }

  private Answer redrive(QueryParameters query) {
    DeadLetterFilter filter = query.filter();
    if (query.flag("dry_run")) {
      DlqOperations.DryRun preview = dlq.dryRun(filter, 20);
      return new Answer(
          200,
          "{\"dryRun\":true,\"matching\":"
              + preview.matching()
              + ",\"sample\":"
              + array(preview.sample())
              + "}");
    }
    Long rate = query.number("rate", 1, 1_000_000);
    long id = dlq.requestRedrive(filter, rate == null ? 1000 : rate.intValue());
    return new Answer(202, "{\"redriveId\":" + id + ",\"status\":\"pending\"}");
  }

  private Answer redriveStatus(long id) {
    return dlq.redrive(id)
        .map(
            r ->
                new Answer(
                    200,
                    AdminJson.object(
                        g -> {
                          g.writeNumberField("redriveId", r.id());
                          g.writeStringField("status", r.status());
                          g.writeNumberField("redriven", r.redriven());
                          g.writeNumberField("leftParked", r.skipped());
                        })))
        .orElseGet(() -> new Answer(404, AdminJson.error("no redrive with id " + id)));
  }

  private Answer purge(QueryParameters query) {
    if (!query.hasFilter() && !query.flag("all")) {
      throw new IllegalArgumentException(
          "DELETE /dlq needs a filter (reason, user, from_seq, to_seq, since, until) or all=true");
    }
    return new Answer(200, "{\"purged\":" + dlq.purge(query.filter()) + "}");
  }

  private static String array(List<StoredDeadLetter> letters) {
    return letters.stream().map(DeadLetterFormat::json).collect(Collectors.joining(",", "[", "]"));
  }

  static String stats(DeadLetterStats stats, Map<Reason, Long> oldestByReason) {
    return AdminJson.object(
        g -> {
          g.writeNumberField("total", stats.total());
          g.writeObjectFieldStart("byReason");
          for (Map.Entry<Reason, Long> entry : stats.byReason().entrySet()) {
            g.writeNumberField(entry.getKey().name(), entry.getValue());
          }
          g.writeEndObject();
          if (stats.total() > 0) {
            g.writeStringField("oldest", Instant.ofEpochMilli(stats.oldestMillis()).toString());
            g.writeStringField("newest", Instant.ofEpochMilli(stats.newestMillis()).toString());
          }
          g.writeNumberField("bytesOnDisk", stats.bytesOnDisk());
          g.writeNumberField("removedByRetention", stats.removedByRetention());
          g.writeNumberField("awaitingIndex", stats.awaitingIndex());
          g.writeObjectFieldStart("oldestByReason");
          for (Map.Entry<Reason, Long> entry : oldestByReason.entrySet()) {
            if (entry.getValue() > 0) {
              g.writeStringField(
                  entry.getKey().name(), Instant.ofEpochMilli(entry.getValue()).toString());
            }
          }
          g.writeEndObject();
        });
  }
}
