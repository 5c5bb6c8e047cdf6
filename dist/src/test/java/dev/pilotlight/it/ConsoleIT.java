package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's chromium, headless, driven through its chromedriver), against a real daemon
 * with its defaults (auth on): signing in and being refused, the overview, a function's charts moving with traffic, a
 * cold start with its strategy, the live log, invoking, rolling back, a phone-width screen. Screenshots of the overview
 * and of a function's page under load land in {@code target/console-screenshots/}.
 */
class ConsoleIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target/console-screenshots");
  static final Duration WAIT = Duration.ofSeconds(30);

  static DaemonFixture d;
  static WebDriver browser;
  static ChromeDriverService driverService;

  @BeforeAll
  static void start(@TempDir Path data, @TempDir Path profile) throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
    d = new DaemonFixture(data);
    d.deploy(example("hello-python"), "--name", "greeter");
    d.deploy(example("hello-java"), "--name", "charted");
    driverService = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,2400");
    browser = new ChromeDriver(driverService, options);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (driverService != null) {
      driverService.stop();
    }
    if (d != null) {
      d.close();
    }
  }

  @BeforeEach
  void signedOutAtFullWidth() {
    browser.manage().window().setSize(new Dimension(1280, 2400));
    browser.get(d.url() + "/console/");
    js("sessionStorage.clear()");
    browser.get(d.url() + "/console/#/");
    browser.navigate().refresh();
  }

  static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  static WebElement waitFor(String css) {
    return new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(b -> {
      List<WebElement> found = b.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.getFirst().isDisplayed() ? null : found.getFirst();
    });
  }

  static void waitUntil(String what, java.util.function.BooleanSupplier condition) {
    // the page re-renders every few seconds: an element read as it is replaced is read again
    new WebDriverWait(browser, WAIT).withMessage(() -> what + "; the page's message: "
        + js("const m = document.getElementById('fn-message'); return m ? m.innerText : '(none)'") + "; its sources: "
        + js("const s = document.getElementById('sources'); return s ? s.innerText : '(none)'") + "; its last metrics: "
        + js("return JSON.stringify(window.__console.lastMetrics && window.__console.lastMetrics.series)")).ignoring(StaleElementReferenceException.class).until(b -> condition.getAsBoolean());
  }

  /**
   * Clicks a button of a function's page as the page dispatches it. The page's cards fill in as their
   * answers come (the configuration form, the live log's lines, the charts), so a pointer click at
   * where the button was a moment before can land on another card without an error; this was seen
   * once in CI (the pause never happened). The button must still be on the page and shown.
   */
  static void press(WebElement button) {
    assertThat(button.isDisplayed()).as("the button %s is shown", button.getText()).isTrue();
    js("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button);
  }

  static void signIn(String token) {
    WebElement field = waitFor("#token");
    field.clear();
    field.sendKeys(token);
    browser.findElement(By.id("sign-in")).click();
  }

  static String issueToken(String role) throws Exception {
    HttpResponse<String> r = d.post("/api/v1/tokens", "{\"role\": \"" + role + "\", \"description\": \"console test\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return DaemonFixture.JSON.readTree(r.body()).path("token").asText();
  }

  static void screenshot(String name) throws Exception {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  static String invoke(String function, String payload) {
    HttpResponse<String> r = d.post("/api/v1/functions/" + function + "/invoke", payload);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("X-Pilotlight-Request-Id").orElseThrow();
  }

  static double sum(String seriesExpression) {
    Object v = js("const s = " + seriesExpression + "; return s ? s.reduce((a, b) => a + (b || 0), 0) : -1;");
    return ((Number) v).doubleValue();
  }

  @Test
  void aWrongTokenIsRefusedAndAnInvokeTokenCannotRead() throws Exception {
    signIn("plt_not-a-token");
    waitUntil("the refusal", () -> browser.findElement(By.id("signin-message")).getText().contains("Token refused"));
    signIn(issueToken("invoke"));
    waitUntil("the role's refusal", () -> browser.findElement(By.id("signin-message")).getText().contains("cannot read the functions"));
    assertThat(js("return sessionStorage.getItem('pilotlight.token')")).isNull();
  }

  @Test
  void theOverviewShowsEveryFunctionAndTheDaemonsProtections() throws Exception {
    signIn(issueToken("deploy")); // the role docs/console.md tells operators to give it
    waitFor("#functions tr[data-fn='greeter']");
    waitFor("#functions tr[data-fn='charted']");
    String node = waitFor("#node").getText();
    assertThat(node).contains("auth").contains("on").contains("MB budget");
    for (int i = 0; i < 3; i++) {
      invoke("greeter", "{}");
    }
    waitUntil("the invocations column to count the calls", () -> {
      List<WebElement> cells = browser.findElements(By.cssSelector("#functions tr[data-fn='greeter'] td[data-col='invocations']"));
      return !cells.isEmpty() && Long.parseLong(cells.getFirst().getText().replace(",", "")) >= 3;
    });
    waitFor("#functions tr[data-fn='greeter'] svg.spark");
  }

  @Test
  void aFunctionsChartsMoveWithTrafficAndItsColdStartShowsItsStrategy() throws Exception {
    d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/charted/instances")).DELETE().build());
    signIn(d.token());
    browser.get(d.url() + "/console/#/fn/charted");
    waitFor("#chart-calls .uplot");
    double before = sum("window.__console.charts.calls.data[1]");
    AtomicBoolean loading = new AtomicBoolean(true);
    ExecutorService load = Executors.newFixedThreadPool(4);
    List<java.util.concurrent.Future<?>> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      clients.add(load.submit(() -> {
        while (loading.get()) { // bounded: about 200 calls a second per client at most
          d.post("/api/v1/functions/charted/invoke", "{\"name\": \"chart\"}");
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }));
    }
    try {
      waitUntil("the calls chart to count the traffic", () -> sum("window.__console.charts.calls.data[1]") >= before + 50);
      waitUntil("a cold start by strategy", () -> !browser.findElements(By.cssSelector("#cold-table")).isEmpty());
      JsonNode status = d.status("charted");
      String strategy = status.path("lastColdStart").path("strategy").asText();
      assertThat(strategy).isNotEmpty();
      waitUntil("the strategy in the table", () -> browser.findElement(By.id("cold-table")).getText().contains(strategy));
      waitUntil("the strategy in the summary", () -> browser.findElement(By.id("last-cold-start")).getText().contains(strategy));
      waitUntil("the instances chart", () -> sum("window.__console.charts.scaling.data[2]") >= 1);
      waitUntil("scale-ups marked where they happened, nothing where none did", () -> Boolean.TRUE.equals(
          js("const s = window.__console.charts.scaling.data[4]; return s.some((v) => v >= 1) && s.includes(null) && !s.includes(0)")));
      waitUntil("duration percentiles", () -> sum("window.__console.charts.duration.data[1]") > 0);
      waitUntil("the price", () -> browser.findElement(By.id("price")).getText().contains("$"));
      waitUntil("the learned idle times", () -> browser.findElement(By.id("idle-times")).getText().contains("idle time"));
      new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("window"))).selectByVisibleText("15m");
      waitUntil("the 15-minute window", () -> ((Number) js("return window.__console.lastMetrics.series.t.length")).longValue() == 15);
      waitFor("#chart-calls .uplot");
      screenshot("console-function");
      browser.get(d.url() + "/console/#/");
      browser.manage().window().setSize(new Dimension(1280, 900));
      waitUntil("the overview under load", () -> !browser.findElements(By.cssSelector("#functions tr[data-fn='charted'] svg.spark")).isEmpty()
          && !browser.findElement(By.cssSelector("#functions tr[data-fn='charted'] td[data-col='invocations']")).getText().equals("0"));
      screenshot("console-overview");
      browser.manage().window().setSize(new Dimension(1280, 2400));
      browser.get(d.url() + "/console/#/fn/charted");
      waitFor("#chart-calls .uplot");
    } finally {
      loading.set(false);
      load.shutdown();
      assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
    for (var c : clients) {
      c.get();
    }
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("window"))).selectByVisibleText("7d");
    waitUntil("the 7-day window", () -> Long.valueOf(1800).equals(((Number) js("return window.__console.lastMetrics.stepSeconds")).longValue()));
  }

  @Test
  void theLiveLogIsFollowedAgainAfterTheDaemonRestarts(@TempDir Path data) throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // a fixed port, so that the restarted daemon is the page's origin again
    }
    DaemonFixture restarting = new DaemonFixture(dev.pilotlight.server.DaemonConfig.defaults(data, DaemonFixture.RUNNER).withPort(port)
        .withScalingTick(Duration.ofMillis(100)));
    try {
      restarting.deploy(example("hello-python"), "--name", "restarted");
      browser.get(restarting.url() + "/console/#/");
      signIn(restarting.token());
      browser.get(restarting.url() + "/console/#/fn/restarted");
      waitUntil("the log to follow", () -> browser.findElement(By.id("log-status")).getText().equals("following"));
      String before = requestIdOf(restarting.post("/api/v1/functions/restarted/invoke", "{}"));
      waitUntil("the first call's REPORT line", () -> browser.findElement(By.id("logs")).getText().contains("REPORT RequestId: " + before));
      restarting.restart();
      waitUntil("the gap marked", () -> browser.findElement(By.id("logs")).getText().contains("the log stream was interrupted"));
      waitUntil("the log followed again", () -> browser.findElement(By.id("log-status")).getText().equals("following"));
      String after = requestIdOf(restarting.post("/api/v1/functions/restarted/invoke", "{}"));
      waitUntil("the call after the restart", () -> browser.findElement(By.id("logs")).getText().contains("REPORT RequestId: " + after));
      assertThat(browser.findElement(By.id("logs")).getText()).contains("REPORT RequestId: " + before);
    } finally {
      restarting.close();
    }
  }

  static String requestIdOf(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("X-Pilotlight-Request-Id").orElseThrow();
  }

  @Test
  void theLogIsFollowedLiveAndFilteredByRequestId() throws Exception {
    signIn(d.token());
    browser.get(d.url() + "/console/#/fn/greeter");
    waitUntil("the log to follow", () -> browser.findElement(By.id("log-status")).getText().equals("following"));
    String first = invoke("greeter", "{\"name\": \"first\"}");
    String second = invoke("greeter", "{\"name\": \"second\"}");
    waitUntil("both calls' REPORT lines", () -> {
      String logs = browser.findElement(By.id("logs")).getText();
      return logs.contains("REPORT RequestId: " + first) && logs.contains("REPORT RequestId: " + second);
    });
    browser.findElement(By.id("log-filter")).sendKeys(first);
    waitUntil("only the first call's lines", () -> !browser.findElement(By.id("logs")).getText().contains(second));
    assertThat(browser.findElement(By.id("logs")).getText()).contains("START RequestId: " + first).contains("END RequestId: " + first);
    press(browser.findElement(By.id("log-group")));
    waitFor("#logs .group[data-request='" + first + "']");
  }

  @Test
  void invokingFromThePageShowsTheAnswerAndItsReportLine() {
    signIn(d.token());
    browser.get(d.url() + "/console/#/fn/greeter");
    WebElement payload = waitFor("#payload");
    payload.clear();
    payload.sendKeys("{\"name\": \"Console\"}");
    press(browser.findElement(By.id("invoke")));
    waitUntil("the answer", () -> browser.findElement(By.id("invoke-result")).getText().contains("Hello, Console"));
    waitUntil("the REPORT line", () -> browser.findElement(By.id("invoke-report")).getText().contains("Billed Duration"));
  }

  @Test
  void rollingBackFromThePageMovesTheTraffic() throws Exception {
    d.deploy(example("hello-python"), "--name", "rolled");
    d.deploy(example("hello-python"), "--name", "rolled", "--env", "V=2");
    assertThat(d.status("rolled").path("revision").asLong()).isEqualTo(2);
    signIn(d.token());
    browser.get(d.url() + "/console/#/fn/rolled");
    press(waitFor("#rollback"));
    waitUntil("the rollback", () -> browser.findElement(By.id("fn-message")).getText().contains("Rolled back"));
    waitUntil("the traffic shown", () -> browser.findElement(By.id("traffic")).getText().contains("1=100"));
    assertThat(d.get("/api/v1/functions/rolled/traffic").body()).contains("1=100");
  }

  @Test
  void changingSettingsFromThePageMakesANewRevision() throws Exception {
    d.deploy(example("hello-python"), "--name", "tuned");
    signIn(d.token());
    browser.get(d.url() + "/console/#/fn/tuned");
    WebElement memory = waitFor("#cfg-memory");
    memory.clear();
    memory.sendKeys("384");
    press(browser.findElement(By.id("cfg-save")));
    waitUntil("the new revision", () -> browser.findElement(By.id("fn-message")).getText().contains("revision 2"));
    assertThat(d.status("tuned").path("memoryMb").asInt()).isEqualTo(384);
    WebElement min = browser.findElement(By.id("cfg-min"));
    min.clear();
    min.sendKeys("5");
    WebElement max = browser.findElement(By.id("cfg-max"));
    max.clear();
    max.sendKeys("2");
    press(browser.findElement(By.id("cfg-save")));
    waitUntil("the daemon's refusal", () -> browser.findElement(By.id("fn-message")).getText().contains("400"));
    assertThat(d.status("tuned").path("revision").asLong()).isEqualTo(2);
  }

  @Test
  void anEventSourceIsPausedAndResumedFromThePage() throws Exception {
    String queue = "pl-console-it-" + System.nanoTime();
    com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
    f.setHost("127.0.0.1");
    f.setUsername("guest");
    f.setPassword("guest");
    try (com.rabbitmq.client.Connection connection = f.newConnection(); com.rabbitmq.client.Channel ch = connection.createChannel()) {
      ch.queueDeclare(queue, false, false, false, null);
      try {
        d.deploy(example("hello-python"), "--name", "sourced");
        DaemonFixture.CliResult add = d.cli("events", "add", "sourced", "--source", "rabbitmq://guest:guest@127.0.0.1:5672/%2F?queue=" + queue);
        assertThat(add.exit()).as(add.err()).isZero();
        signIn(d.token());
        browser.get(d.url() + "/console/#/fn/sourced");
        new WebDriverWait(browser, WAIT).withMessage(() -> "the mapping on the page; it shows: " + js("return document.getElementById('sources').innerText"))
            .until(b -> !b.findElements(By.cssSelector("#sources [data-source] button")).isEmpty());
        press(browser.findElement(By.cssSelector("#sources [data-source] button")));
        waitUntil("the pause", () -> browser.findElement(By.id("fn-message")).getText().contains("Paused"));
        assertThat(mappingState("sourced")).isEqualTo("Disabled");
        waitUntil("the resume button", () -> browser.findElement(By.cssSelector("#sources [data-source] button")).getText().equals("Resume"));
        press(browser.findElement(By.cssSelector("#sources [data-source] button")));
        waitUntil("the resume", () -> browser.findElement(By.id("fn-message")).getText().contains("Resumed"));
        assertThat(mappingState("sourced")).isNotEqualTo("Disabled");
      } finally {
        ch.queueDelete(queue);
      }
    }
  }

  static String mappingState(String function) throws Exception {
    JsonNode list = DaemonFixture.JSON.readTree(d.get("/api/v1/functions/" + function + "/event-sources").body());
    return list.path("eventSources").path(0).path("state").asText();
  }

  @Test
  void aPhoneWidthScreenGetsCardsWithoutSidewaysScrolling() {
    browser.manage().window().setSize(new Dimension(390, 844));
    signIn(d.token());
    waitFor("#function-cards .fn[data-fn='greeter']");
    long overflow = ((Number) js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")).longValue();
    assertThat(overflow).as("sideways scrolling at 390 px").isLessThanOrEqualTo(0);
    browser.get(d.url() + "/console/#/fn/greeter");
    waitFor("#chart-calls .uplot");
    overflow = ((Number) js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")).longValue();
    assertThat(overflow).as("sideways scrolling of a function's page at 390 px").isLessThanOrEqualTo(0);
  }

  @Test
  void theConsolesFilesNeedNoTokenButCarryTheirProtections() throws Exception {
    HttpResponse<String> page = d.http.send(HttpRequest.newBuilder(URI.create(d.url() + "/console/")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'").contains("frame-ancestors 'none'");
    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.body()).doesNotContain("<script>").contains("app.js");
    HttpResponse<String> uplot = d.http.send(HttpRequest.newBuilder(URI.create(d.url() + "/console/vendor/uPlot.iife.min.js")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
    for (String path : List.of("/console/nope.js", "/console/../api/v1/functions", "/console/%2e%2e/admin.token", "/console/vendor/")) {
      HttpResponse<String> r = d.http.send(HttpRequest.newBuilder(URI.create(d.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isIn(404, 401);
      assertThat(r.body()).as(path).doesNotContain("plt_");
    }
    HttpResponse<String> post = d.http.send(HttpRequest.newBuilder(URI.create(d.url() + "/console/app.js"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    HttpResponse<String> bare = d.http.send(HttpRequest.newBuilder(URI.create(d.url() + "/console")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(bare.statusCode()).isEqualTo(301);
    // the data behind it still needs the token
    HttpResponse<String> data = d.http.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/greeter/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(data.statusCode()).isEqualTo(401);
  }
}
