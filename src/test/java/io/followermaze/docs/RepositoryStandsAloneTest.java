package io.followermaze.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The repository is the whole product: every link resolves inside it, nothing reaches outside. */
class RepositoryStandsAloneTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  private static List<Path> files(String dir, String suffix) throws IOException {
    Path start = ROOT.resolve(dir);
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(start)) {
      return walk.filter(p -> p.toString().endsWith(suffix) && Files.isRegularFile(p)).toList();
    }
  }

  private static List<Path> markdown() throws IOException {
    List<Path> docs = new ArrayList<>(files("docs", ".md"));
    for (String top : List.of("README.md", "CONTRIBUTING.md")) {
      if (Files.exists(ROOT.resolve(top))) {
        docs.add(ROOT.resolve(top));
      }
    }
    return docs;
  }

  @Test
  void everyRelativeLinkInTheDocsResolvesInsideTheRepository() throws IOException {
    List<String> broken = new ArrayList<>();
    List<Path> docs = markdown();
    assertThat(docs).isNotEmpty();
    for (Path doc : docs) {
      Matcher m = LINK.matcher(Files.readString(doc));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("[a-z]+:.*") || target.startsWith("#")) {
          continue; // a web address, or an anchor in the same page
        }
        Path file = doc.getParent().resolve(target.replaceAll("#.*", "")).normalize();
        if (!file.startsWith(ROOT) || !Files.exists(file)) {
          broken.add(ROOT.relativize(doc) + ": " + target);
        }
      }
    }
    assertThat(broken).as("links that do not resolve inside the repository").isEmpty();
  }

  @Test
  void noDocScriptOrSourceReachesOutsideTheRepository() throws IOException {
    List<Path> all = new ArrayList<>(markdown());
    all.addAll(files("bin", ""));
    all.addAll(files(".ci", ""));
    all.addAll(files("tools", ".java"));
    all.addAll(files("src", ".java"));
    List<String> outside = new ArrayList<>();
    String sibling = "../" + "shared"; // split, so this file does not match itself
    for (Path file : all) {
      String text = Files.readString(file);
      if (text.contains(sibling)) {
        outside.add(ROOT.relativize(file).toString());
      }
    }
    assertThat(outside).as("files that point at the directory beside the repository").isEmpty();
  }
}
