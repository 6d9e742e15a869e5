package io.followermaze.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The launcher's compiler directives ({@code bin/lib/jit-directives.json}) name methods as strings
 * that HotSpot matches silently: a rename would leave a directive that matches nothing. Every
 * method they name must exist.
 */
class JitDirectivesTest {

  private static final Path DIRECTIVES = Path.of("bin", "lib", "jit-directives.json");
  private static final Pattern METHOD =
      Pattern.compile("\"-?(io/followermaze/[\\w/$]+)\\.(\\w+)\"");

  @Test
  void everyMethodTheDirectivesNameExists() throws IOException {
    List<String> named = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String line : Files.readAllLines(DIRECTIVES)) {
      String code = line.replaceFirst("^\\s*//.*", "");
      Matcher m = METHOD.matcher(code);
      while (m.find()) {
        String type = m.group(1).replace('/', '.');
        String method = m.group(2);
        named.add(type + "." + method);
        if (!declares(type, method)) {
          missing.add(type + "." + method);
        }
      }
    }
    assertThat(named).as("methods named in %s", DIRECTIVES).hasSizeGreaterThanOrEqualTo(9);
    assertThat(missing).as("named in %s but not declared", DIRECTIVES).isEmpty();
  }

  @Test
  void aMethodThatDoesNotExistIsReported() {
    assertThat(declares("io.followermaze.engine.Engine", "inOrderRenamed")).isFalse();
    assertThat(declares("io.followermaze.engine.NoSuchClass", "run")).isFalse();
  }

  private static boolean declares(String type, String method) {
    try {
      Class<?> owner = Class.forName(type, false, JitDirectivesTest.class.getClassLoader());
      return Arrays.stream(owner.getDeclaredMethods())
          .map(Method::getName)
          .anyMatch(method::equals);
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
