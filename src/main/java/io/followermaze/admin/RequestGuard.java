package io.followermaze.admin;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

/**
 * What the admin API checks before it answers, so that a web page in an operator's browser cannot
 * use it: a request whose {@code Host} is a name other than a loopback name or a configured one is
 * refused (DNS rebinding points a foreign name at 127.0.0.1; an IP literal cannot be rebound); a
 * state-changing request from a foreign {@code Origin}, or marked cross-site by the browser, is
 * refused (cross-site request forgery); the bearer token is compared in constant time; and a change
 * over an admin port that is not loopback-only needs a token.
 */
final class RequestGuard {

  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "::1");

  private final Set<String> allowedHosts;
  private final byte[] expectedAuthorization;
  private final boolean loopbackOnly;

  /** Why a request is refused: the HTTP status and the message. */
  record Refusal(int status, String message) {}

  /**
   * @param allowedHosts host names allowed besides loopback names and IP literals
   * @param token the bearer token, or null (or blank) for none
   * @param bind the address the admin API listens on
   */
  RequestGuard(Set<String> allowedHosts, String token, String bind) {
    this.allowedHosts =
        allowedHosts.stream()
            .map(h -> h.toLowerCase(Locale.ROOT))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
    boolean noToken = token == null || token.isBlank();
    this.expectedAuthorization =
        noToken ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.loopbackOnly = isLoopback(bind);
  }

  /**
   * Why this request is refused (403 foreign host or page, 401 no token, 403 a change over an open
   * port without a token), or null when it may be answered. {@code /health} and the dashboard page
   * need no token.
   */
  Refusal refusal(
      String method,
      String path,
      String host,
      String authorization,
      String origin,
      String fetchSite) {
    String badHost = refuseHost(host);
    if (badHost != null) {
      return new Refusal(403, badHost);
    }
    boolean open = path.equals("/health") || path.equals("/") || path.equals("/index.html");
    if (!open && !authorized(authorization)) {
      return new Refusal(401, "this endpoint needs Authorization: Bearer <token> (--admin-token)");
    }
    boolean mutating = !method.equals("GET");
    String crossSite = mutating ? refuseCrossSite(origin, fetchSite, host) : null;
    if (crossSite != null) {
      return new Refusal(403, crossSite);
    }
    if (mutating && expectedAuthorization == null && !loopbackOnly) {
      return new Refusal(403, "changes over a non-loopback admin port need --admin-token");
    }
    return null;
  }

  private static boolean isLoopback(String bind) {
    try {
      return java.net.InetAddress.getByName(bind).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** Why a request with this {@code Host} header is refused, or null when it is fine. */
  String refuseHost(String host) {
    if (host == null || host.isBlank()) {
      return null; // HTTP/1.0 clients send none; a browser always does.
    }
    String name = hostName(host);
    if (LOOPBACK_NAMES.contains(name) || isIpLiteral(name) || allowedHosts.contains(name)) {
      return null;
    }
    return "Host '"
        + host
        + "' is not this server's: use a loopback address, or list the name in --admin-allowed-hosts";
  }

  /** Why a state-changing request with these headers is refused, or null when it is fine. */
  String refuseCrossSite(String origin, String fetchSite, String host) {
    if ("cross-site".equalsIgnoreCase(fetchSite)) {
      return "cross-site requests may not change anything";
    }
    if (origin == null) {
      return null; // Not from a browser page (curl, the CLI); browsers send Origin on POST and
      // DELETE.
    }
    try {
      URI uri = URI.create(origin);
      String originHost = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
      int originPort =
          uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
      String expected = host == null ? "" : host.toLowerCase(Locale.ROOT);
      String actual =
          originHost.contains(":")
              ? "[" + originHost + "]:" + originPort
              : originHost + ":" + originPort;
      if (actual.equals(expected)
          || actual.equals(expected + ":80")
          || (originHost + ":" + originPort).equals(expected)) {
        return null;
      }
    } catch (IllegalArgumentException e) {
      // An unreadable Origin is foreign.
    }
    return "Origin '"
        + origin
        + "' is not this admin API: changes are accepted only from its own page or without a browser";
  }

  /** Whether {@code authorization} carries the token (always true without one); constant time. */
  boolean authorized(String authorization) {
    if (expectedAuthorization == null) {
      return true;
    }
    byte[] given =
        authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expectedAuthorization, given);
  }

  private static String hostName(String host) {
    String name = host.trim().toLowerCase(Locale.ROOT);
    if (name.startsWith("[")) {
      int end = name.indexOf(']');
      return end < 0 ? name : name.substring(1, end);
    }
    int colon = name.lastIndexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }

  private static boolean isIpLiteral(String name) {
    return name.matches("\\d{1,3}(\\.\\d{1,3}){3}")
        || (name.contains(":") && name.matches("[0-9a-f:.]+"));
  }
}
