package io.followermaze.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.server.Server;
import io.followermaze.testing.DurableServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's, installed by bin/test) while a bench runs:
 * the chart moves, the dead-letter table fills, the redrive button works. Screenshot:
 * target/dashboard.png.
 */
class DashboardBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path dir;
  @TempDir Path profile;

  @Test
  void showsTheChartMovingTheDeadLettersArrivingAndRedrives() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "Debian chromium and chromium-driver (bin/test installs them)");
    DurableServer durable = new DurableServer(dir, false);
    Server server = durable.server();
    int adminPort = durable.startAdmin("t0ken");
    // Paced, so the run outlasts the browser's start on a busy machine (the page must see the count
    // rise).
    Thread load =
        Thread.ofPlatform()
            .start(
                () ->
                    Bench.run(
                        new BenchOptions(
                            "127.0.0.1",
                            server.eventPort(),
                            server.clientPort(),
                            3_000_000,
                            20,
                            200,
                            100,
                            5,
                            Duration.ofMinutes(3),
                            Duration.ZERO,
                            BenchOptions.Unreliable.NONE,
                            new BenchOptions.Pace(200_000, null)),
                        new PrintStream(new ByteArrayOutputStream())));

    System.setProperty("webdriver.chrome.driver", DRIVER.toString());
    ChromeOptions options =
        new ChromeOptions()
            .setBinary(CHROMIUM.toFile())
            .addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1200,1000",
                "--user-data-dir=" + profile);
    WebDriver browser =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(),
            options);
    try {
      browser.get("http://127.0.0.1:" + adminPort + "/#token=t0ken");
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
      wait.ignoring(StaleElementReferenceException.class);
      wait.until(
          b ->
              Integer.parseInt(b.findElement(By.id("chart")).getDomAttribute("data-points")) >= 2
                  && Long.parseLong(b.findElement(By.id("received")).getText()) > 0);
      long firstReceived = Long.parseLong(browser.findElement(By.id("received")).getText());
      wait.until(b -> Long.parseLong(b.findElement(By.id("received")).getText()) > firstReceived);
      wait.until(b -> b.findElements(By.cssSelector("#dlq tbody tr")).size() >= 10);
      assertThat(browser.findElement(By.id("reasons")).getText()).contains("USER_NOT_CONNECTED");
      wait.until(b -> b.findElement(By.id("ready")).getText().equals("READY"));
      wait.until(
          b ->
              b.findElement(By.id("reasons"))
                  .getText()
                  .matches("(?s).*USER_NOT_CONNECTED \\d+ [0-9.]+k?M?/s \\d+ s.*"));
      assertThat(browser.findElement(By.id("depth")).getText()).isNotEqualTo("0");
      assertThat(browser.findElement(By.id("oldest")).getText()).endsWith(" s");
      assertThat(browser.findElement(By.id("error")).getText()).isEmpty();

      browser.findElement(By.id("f-user")).sendKeys("150");
      browser.findElement(By.cssSelector("#filters button[type=submit]")).click();
      wait.until(
          b ->
              b.findElements(By.cssSelector("#dlq tbody tr")).size() >= 1
                  && b.findElement(By.cssSelector("#dlq tbody tr td:nth-child(5)"))
                      .getText()
                      .equals("150"));
      browser.findElement(By.id("redrive")).click();
      wait.until(
          b -> b.findElement(By.id("redrive-result")).getText().matches("redrive #\\d+ requested"));

      Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
      Files.createDirectories(Path.of("target"));
      Files.copy(shot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    } finally {
      browser.quit();
      load.join(Duration.ofMinutes(3));
      durable.close();
    }
    assertThat(Path.of("target", "dashboard.png")).isNotEmptyFile();
  }
}
