package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.activation.ActivationEvents;
import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.Lease;
import dev.pilotlight.activation.usage.UsageLedger;
import dev.pilotlight.activation.usage.UsageMeter;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.gateway.ControlPlane;
import dev.pilotlight.gateway.FunctionStats;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.model.Usage;
import dev.pilotlight.model.release.Alias;
import dev.pilotlight.model.release.Rollout;
import dev.pilotlight.model.release.RolloutPlan;
import dev.pilotlight.model.release.Traffic;
import dev.pilotlight.store.ArtifactStore;
import dev.pilotlight.store.AsyncQueue;
import dev.pilotlight.store.LogStore;
import dev.pilotlight.store.PackageLimits;
import dev.pilotlight.store.Registry;
import dev.pilotlight.testing.FakeInstance;
import dev.pilotlight.testing.ManualClock;
import dev.pilotlight.testing.Zips;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploy, redeploy, remove and restore over the real stores in a temporary directory and an
 * activator over in-memory instances: every store a function lives in is written on deploy and
 * emptied on removal.
 */
class ControlPlaneServiceTest {
  @TempDir
  Path data;

  final ManualClock clock = new ManualClock();
  final List<FakeInstance> launched = new CopyOnWriteArrayList<>();
  final List<Deployment> activated = new ArrayList<>();
  final List<String> forgottenRhythms = new ArrayList<>();
  final List<String> forgottenUsage = new ArrayList<>();
  final FunctionStats stats = new FunctionStats();
  Registry registry;
  ArtifactStore artifacts;
  LogStore logs;
  AsyncQueue events;
  Activator activator;
  ControlPlaneService control;

  @BeforeEach
  void open() {
    registry = Registry.open(data.resolve("registry.db"));
    artifacts = ArtifactStore.open(data.resolve("artifacts"), PackageLimits.defaults());
    logs = LogStore.open(data.resolve("logs"), clock);
    events = AsyncQueue.open(data.resolve("events.db"));
    activator = activator();
    control = service(activator);
  }

  @AfterEach
  void close() {
    activator.shutdown();
    events.close();
    registry.close();
    logs.close();
  }

  private Activator activator() {
    return new Activator((d, background, version) -> {
      FakeInstance i = new FakeInstance(d.name() + "-" + (launched.size() + 1), d);
      launched.add(i);
      return CompletableFuture.completedFuture(i);
    }, new ScalingDecider()::instancesToStart, ActivationEvents.NONE, clock, 100);
  }

  private ControlPlaneService service(Activator a) {
    UsageLedger ledger = new UsageLedger() {
      @Override
      public void add(Map<String, Map<Instant, Usage>> byFunctionAndHour) {}

      @Override
      public Usage total(String function, Instant since) {
        return Usage.NONE;
      }

      @Override
      public void forget(String function) {
        forgottenUsage.add(function);
      }
    };
    return new ControlPlaneService(new ControlPlaneService.Stores(registry, artifacts, logs, events), a, activated::add, clock,
        new UsageMeter(ledger, clock), spec -> null, forgottenRhythms::add, stats, 3);
  }

  static InputStream pythonPackage(String code) {
    return pythonPackage(code, "");
  }

  /** A package whose pilotlight.yaml has {@code moreManifest} (e.g. {@code "rollout: canary:10%,5m\n"}) after the usual settings. */
  static InputStream pythonPackage(String code, String moreManifest) {
    return new ByteArrayInputStream(Zips.ofText(
        "pilotlight.yaml", "runtime: python3.12\nhandler: app.handler\nmemory: 128\ntimeout: 30s\n" + moreManifest,
        "app.py", code));
  }

  /** The unpacked code directories the artifact store holds. */
  private List<Path> codeDirs() throws Exception {
    Path root = data.resolve("artifacts").resolve("code");
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (var dirs = Files.list(root)) {
      return dirs.toList();
    }
  }

  @Test
  void aDeployIsStoredRecordedActivatedAndLogged() {
    ControlPlane.Deployed result = control.deploy("hello", pythonPackage("def handler(e, c): return 1\n"));

    Deployment d = result.deployment();
    assertThat(result.created()).isTrue();
    assertThat(d.revision()).isEqualTo(1);
    assertThat(d.spec().memoryMb()).isEqualTo(128);
    assertThat(registry.find("hello")).contains(d);
    assertThat(Files.isRegularFile(d.codeDir().resolve("app.py"))).as("the code is unpacked").isTrue();
    assertThat(activator.deployment("hello")).contains(d);
    assertThat(activated).containsExactly(d);
    assertThat(logs.tail("hello", 10)).singleElement().asString()
        .contains("DEPLOY revision 1 code sha256:" + d.codeSha256() + " (python)");
  }

  @Test
  void aRedeployMakesTheNextRevisionLive() {
    Deployment first = control.deploy("hello", pythonPackage("v = 1\n")).deployment();

    ControlPlane.Deployed second = control.deploy("hello", pythonPackage("v = 2\n"));

    assertThat(second.created()).isFalse();
    assertThat(second.deployment().revision()).isEqualTo(2);
    assertThat(second.deployment().codeSha256()).isNotEqualTo(first.codeSha256());
    assertThat(registry.find("hello")).contains(second.deployment());
    assertThat(activator.deployment("hello")).contains(second.deployment());
    assertThat(activated).containsExactly(first, second.deployment());
    assertThat(logs.tail("hello", 10)).hasSize(2);
  }

  @Test
  void onlyTheNewestRevisionsAndTheirCodeAreKept() {
    List<Deployment> deployed = new ArrayList<>();
    for (int v = 1; v <= 5; v++) {
      deployed.add(control.deploy("hello", pythonPackage("v = " + v + "\n")).deployment());
    }
    assertThat(registry.find("hello").orElseThrow().revision()).isEqualTo(5);
    assertThat(registry.find("hello", 2)).isEmpty();
    assertThat(registry.find("hello", 3)).isPresent();
    assertThat(deployed.get(0).codeDir()).as("revision 1's code").doesNotExist();
    assertThat(deployed.get(1).codeDir()).as("revision 2's code").doesNotExist();
    assertThat(deployed.get(2).codeDir()).as("revision 3's code, kept").exists();
    assertThat(control.deploy("hello", pythonPackage("v = 6\n")).deployment().revision()).as("numbers go on").isEqualTo(6);

    // a kept revision's code stays even when an older one that shared it goes
    control.update("hello", s -> s.withScaling(ScalingSettings.UNSET.withMaxQueue(7)), null);
    control.update("hello", s -> s.withScaling(ScalingSettings.UNSET.withMaxQueue(8)), null);
    control.update("hello", s -> s.withScaling(ScalingSettings.UNSET.withMaxQueue(9)), null);
    assertThat(registry.find("hello").orElseThrow().codeDir()).exists();
  }

  @Test
  void anUpdateWithoutCodeKeepsTheCodeAndChangesTheSettings() {
    Deployment first = control.deploy("hello", pythonPackage("v = 1\n")).deployment();

    Deployment updated = control.update("hello", s -> s.withScaling(ScalingSettings.UNSET.withMaxQueue(7)), null);

    assertThat(updated.revision()).isEqualTo(2);
    assertThat(updated.spec().scaling().maxQueue()).isEqualTo(7);
    assertThat(updated.codeSha256()).isEqualTo(first.codeSha256());
    assertThat(activator.deployment("hello")).contains(updated);
    assertThatThrownBy(() -> control.update("nope", s -> s, null)).isInstanceOf(Failure.FunctionNotFound.class);
  }

  @Test
  void tagsAndOtherMetadataAmendTheCurrentRevisionInPlaceAndKeepItsInstances() throws Exception {
    Deployment first = control.deploy("hello", pythonPackage("v = 1\n")).deployment();
    Lease lease = activator.acquire("hello").join();
    lease.release(true);

    Deployment tagged = control.update("hello", s -> s.toBuilder().tags(java.util.Map.of("team", "core")).reservedConcurrency(3).build(), null);

    assertThat(tagged.revision()).isEqualTo(first.revision());
    assertThat(registry.find("hello").orElseThrow().spec().tags()).containsEntry("team", "core");
    assertThat(registry.revisions("hello")).hasSize(1);
    assertThat(activator.deployment("hello").orElseThrow().spec().reservedConcurrency()).isEqualTo(3);
    assertThat(activator.snapshot("hello").orElseThrow().ready()).as("the instance kept serving").isEqualTo(1);
    Deployment bigger = control.update("hello", s -> s.toBuilder().memoryMb(256).build(), null);
    assertThat(bigger.revision()).as("a change instances see is a new revision").isEqualTo(first.revision() + 1);
    assertThat(bigger.spec().tags()).containsEntry("team", "core");
  }

  @Test
  void aReservationTheNodeCannotHoldIsRefusedAndTheOthersKept() {
    control.reservations(new dev.pilotlight.model.NodeConcurrency(10 * 128)); // 10 units of 128 MB, 1 kept unreserved
    control.deploy("hello", pythonPackage("v = 1\n"));
    control.deploy("other", pythonPackage("v = 2\n"));
    Deployment reserved = control.update("hello", s -> s.toBuilder().reservedConcurrency(5).build(), null); // 5 instances of 128 MB: 5 units

    assertThat(reserved.spec().reservedConcurrency()).isEqualTo(5);
    assertThatThrownBy(() -> control.update("other", s -> s.toBuilder().reservedConcurrency(5).build(), null))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
            + "below its minimum value of [1]");
    assertThat(registry.find("other").orElseThrow().spec().reservedConcurrency()).isNull();
    assertThat(control.update("other", s -> s.toBuilder().reservedConcurrency(4).build(), null).spec().reservedConcurrency()).isEqualTo(4);
    assertThat(control.update("hello", s -> s.toBuilder().description("again").build(), null).spec().reservedConcurrency())
        .as("a function's own earlier reservation is not counted twice").isEqualTo(5);
  }

  @Test
  void aPackageThatCannotRunIsRefusedAndLeavesNoCode() throws Exception {
    InputStream noManifest = new ByteArrayInputStream(Zips.ofText("app.py", "v = 1\n"));

    assertThatThrownBy(() -> control.deploy("hello", noManifest)).isInstanceOf(Failure.InvalidInput.class)
        .hasMessageContaining("no pilotlight.yaml");

    assertThat(registry.find("hello")).isEmpty();
    assertThat(activator.deployment("hello")).isEmpty();
    assertThat(codeDirs()).isEmpty();
  }

  @Test
  void aCreateOfANameInUseIsAConflict() {
    Deployment d = control.deploy("hello", pythonPackage("v = 1\n")).deployment();

    assertThatThrownBy(() -> control.create(d.spec(), pythonPackage("v = 2\n"))).isInstanceOf(Failure.Conflict.class);
    assertThat(registry.find("hello")).contains(d);
  }

  @Test
  void aRemovalEmptiesEveryStoreTheFunctionLivesIn() throws Exception {
    Deployment hello = control.deploy("hello", pythonPackage("v = 1\n")).deployment();
    Deployment other = control.deploy("other", pythonPackage("v = 2\n")).deployment();
    Lease lease = activator.acquire("hello").join();
    lease.release(true);
    events.enqueue("hello", "req-1", "{}".getBytes(StandardCharsets.UTF_8), clock.instant());
    events.enqueue("other", "req-2", "{}".getBytes(StandardCharsets.UTF_8), clock.instant());
    FunctionStats.Entry helloStats = stats.of("hello");
    FunctionStats.Entry otherStats = stats.of("other");

    assertThat(control.delete("hello")).isTrue();

    assertThat(registry.find("hello")).as("registry").isEmpty();
    assertThat(activator.deployment("hello")).as("activator").isEmpty();
    assertThat(launched).singleElement().satisfies(i -> assertThat(i.stopped()).as("its instance").isTrue());
    assertThat(Files.exists(hello.codeDir())).as("its code").isFalse();
    assertThat(logs.tail("hello", 10)).as("its log").isEmpty();
    assertThat(forgottenUsage).as("its usage").containsExactly("hello");
    assertThat(forgottenRhythms).as("its keep-alive rhythm").containsExactly("hello");
    assertThat(events.claimDue(clock.instant(), 10)).as("its queued events").extracting(e -> e.function()).containsExactly("other");
    assertThat(stats.of("hello")).as("its status counters").isNotSameAs(helloStats);

    assertThat(registry.find("other")).contains(other);
    assertThat(Files.isDirectory(other.codeDir())).isTrue();
    assertThat(logs.tail("other", 10)).hasSize(1);
    assertThat(stats.of("other")).isSameAs(otherStats);
    assertThat(control.delete("hello")).as("gone already").isFalse();
  }

  @Test
  void aRemovalKeepsCodeAnotherFunctionRuns() {
    Deployment a = control.deploy("a", pythonPackage("same = 1\n")).deployment();
    Deployment b = control.deploy("b", pythonPackage("same = 1\n")).deployment();
    assertThat(b.codeDir()).isEqualTo(a.codeDir());

    control.delete("a");

    assertThat(Files.isRegularFile(b.codeDir().resolve("app.py"))).isTrue();
  }

  @Test
  void aRestoreActivatesEveryStoredFunctionAndDropsUnreferencedCode() throws Exception {
    Deployment hello = control.deploy("hello", pythonPackage("v = 1\n")).deployment();
    Deployment other = control.deploy("other", pythonPackage("v = 2\n")).deployment();
    registry.delete("other"); // as if the daemon stopped between the registry's delete and the code's clean-up
    activator.shutdown();
    activated.clear();

    Activator restarted = activator();
    try {
      service(restarted).restore();

      assertThat(restarted.deployment("hello")).contains(hello);
      assertThat(restarted.deployment("other")).isEmpty();
      assertThat(activated).containsExactly(hello);
      assertThat(Files.exists(other.codeDir())).isFalse();
      assertThat(codeDirs()).containsExactly(hello.codeDir());
    } finally {
      restarted.shutdown();
    }
  }

  // ---- releases ------------------------------------------------------------------------------------------

  @Test
  void callsFollowTheSplitAndQualifiersNameARevisionWithItsOwnPool() {
    for (int v = 1; v <= 3; v++) {
      control.deploy("hello", pythonPackage("v = " + v + "\n"));
    }
    ReleaseRouter router = control.router();
    assertThat(router.route("hello", null).pool()).isEqualTo("hello");
    assertThat(router.route("hello", "$LATEST").pool()).isEqualTo("hello");
    assertThat(router.route("hello", "1").pool()).isEqualTo("hello@1");
    assertThat(activator.deployment("hello@1").orElseThrow().revision()).isEqualTo(1);
    assertThat(activator.pinnedRevisions("hello")).containsExactly(1L);
    assertThatThrownBy(() -> router.route("hello", "7")).isInstanceOf(Failure.FunctionNotFound.class).hasMessageContaining("hello:7");
    assertThatThrownBy(() -> router.route("hello", "live")).isInstanceOf(Failure.FunctionNotFound.class);

    control.traffic("hello", Traffic.parse("2=100 beta:1=0"));
    assertThat(router.route("hello", null).pool()).isEqualTo("hello@2");
    assertThat(router.route("hello", "beta").pool()).isEqualTo("hello@1");
    assertThat(registry.releases("hello").traffic()).isEqualTo(Traffic.parse("2=100 beta:1=0"));
    assertThatThrownBy(() -> control.traffic("hello", Traffic.parse("9=100"))).isInstanceOf(Failure.InvalidInput.class)
        .hasMessageContaining("revision 9 of 'hello' is not kept (kept: 1, 2, 3");
  }

  @Test
  void aDeployThatTakesNoneOfTheCallsSaysSoAndHowToChangeIt() {
    control.deploy("hello", pythonPackage("v = 1\n"));
    assertThat(control.deploy("hello", pythonPackage("v = 2\n")).notice()).as("the split follows the latest").isNull();
    control.traffic("hello", Traffic.parse("2=90 latest=10"));
    assertThat(control.deploy("hello", pythonPackage("v = 3\n")).notice()).as("the latest's 10 %").isNull();
    control.traffic("hello", Traffic.parse("3=100"));
    assertThat(control.deploy("hello", pythonPackage("v = 4\n")).notice())
        .contains("revision 4 takes none of the function URL's calls").contains("(3=100)")
        .contains("pilotlight traffic hello latest=100").contains("@4");
  }

  @Test
  void aDeployUnderASplitThatNamesTheOwnPoolsRevisionLeavesThatPoolServingIt() {
    control.deploy("hello", pythonPackage("v = 1\n"));
    control.deploy("hello", pythonPackage("v = 2\n"));
    control.traffic("hello", Traffic.parse("2=90 latest=10"));
    control.deploy("hello", pythonPackage("v = 3\n"));
    assertThat(activator.deployment("hello").orElseThrow().revision()).as("the own pool keeps revision 2's share warm").isEqualTo(2);
    assertThat(control.router().route("hello", "2").pool()).isEqualTo("hello");
    assertThat(control.router().route("hello", "3").pool()).isEqualTo("hello@3");
    // with the split back to latest, the next deploy moves the own pool on
    control.traffic("hello", Traffic.LATEST);
    control.deploy("hello", pythonPackage("v = 4\n"));
    assertThat(activator.deployment("hello").orElseThrow().revision()).isEqualTo(4);
    assertThat(control.router().route("hello", null).pool()).isEqualTo("hello");
  }

  @Test
  void deletingTheRevisionTheOwnPoolRunsAfterARolloutMovesThePoolToTheLatest() {
    control.deploy("hello", pythonPackage("v = 1\n"));
    control.deploy("hello", pythonPackage("v = 2\n"), Optional.of(RolloutPlan.parse("canary:10%,5m")));
    control.endRollout("hello", true);
    assertThat(activator.deployment("hello").orElseThrow().revision()).as("the stable revision's pool").isEqualTo(1);
    assertThat(control.router().route("hello", null).pool()).isEqualTo("hello@2");
    control.deleteRevision("hello", 1);
    assertThat(activator.deployment("hello").orElseThrow().revision()).isEqualTo(2);
    assertThat(control.router().route("hello", null).pool()).isEqualTo("hello");
    assertThatThrownBy(() -> control.router().route("hello", "1")).isInstanceOf(Failure.FunctionNotFound.class);
  }

  @Test
  void aRollbackSendsEveryCallToTheRevisionBeforeAndCanGoOn() {
    for (int v = 1; v <= 3; v++) {
      control.deploy("hello", pythonPackage("v = " + v + "\n"));
    }
    assertThat(control.rollback("hello")).isEqualTo(Traffic.parse("2=100"));
    assertThat(control.rollback("hello")).isEqualTo(Traffic.parse("1=100"));
    assertThatThrownBy(() -> control.rollback("hello")).isInstanceOf(Failure.Conflict.class).hasMessageContaining("no revision");
    control.traffic("hello", Traffic.parse("1=50 latest=50"));
    assertThatThrownBy(() -> control.rollback("hello")).isInstanceOf(Failure.Conflict.class).hasMessageContaining("split");
    assertThat(logs.tail("hello", 10)).anySatisfy(l -> assertThat(l).contains("ROLLBACK from revision 3 to revision 2"));
  }

  @Test
  void aRevisionTheReleasesNameOutlivesPruningAndCannotBeDeleted() {
    control.deploy("hello", pythonPackage("v = 1\n"));
    control.alias("hello", new Alias("stable", 1L, null, 0, ""), true);
    assertThatThrownBy(() -> control.alias("hello", new Alias("stable", 1L, null, 0, ""), true)).isInstanceOf(Failure.Conflict.class);
    assertThatThrownBy(() -> control.alias("hello", new Alias("other", 5L, null, 0, ""), true)).isInstanceOf(Failure.FunctionNotFound.class);
    for (int v = 2; v <= 6; v++) {
      control.deploy("hello", pythonPackage("v = " + v + "\n"));
    }
    assertThat(control.revisions("hello")).extracting(Deployment::revision).containsExactly(1L, 4L, 5L, 6L);
    assertThat(control.router().route("hello", "stable").pool()).isEqualTo("hello@1");
    assertThatThrownBy(() -> control.deleteRevision("hello", 1)).isInstanceOf(Failure.Conflict.class).hasMessageContaining("alias 'stable'");
    assertThatThrownBy(() -> control.deleteRevision("hello", 6)).isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("latest");
    assertThat(control.deleteAlias("hello", "stable")).isTrue();
    control.deleteRevision("hello", 1);
    assertThat(activator.pinnedRevisions("hello")).as("its pool ended with it").isEmpty();
    assertThatThrownBy(() -> control.router().route("hello", "1")).isInstanceOf(Failure.FunctionNotFound.class);
  }

  @Test
  void aPublishedVersionIsKeptAndDeletingTheFunctionEndsItsPinnedPools() {
    control.deploy("hello", pythonPackage("v = 1\n"));
    assertThat(control.publish("hello").revision()).isEqualTo(1);
    for (int v = 2; v <= 5; v++) {
      control.deploy("hello", pythonPackage("v = " + v + "\n"));
    }
    assertThat(control.published("hello")).containsExactly(1L);
    assertThat(control.revision("hello", 1)).isPresent();
    control.router().route("hello", "1");
    control.router().route("hello", "4");
    assertThat(activator.pinnedRevisions("hello")).containsExactly(1L, 4L);
    assertThat(control.delete("hello")).isTrue();
    assertThat(activator.pinnedRevisions("hello")).isEmpty();
    assertThatThrownBy(() -> control.router().route("hello", "1")).isInstanceOf(Failure.FunctionNotFound.class);
  }

  // ---- a rollout asked for in pilotlight.yaml ----------------------------------------------------------------

  static final String CANARY = "rollout: canary:10%,5m\n";

  @Test
  void aManifestRolloutAtTheFirstDeployTakesEveryCallAtOnceAndSaysWhy() {
    ControlPlane.Deployed first = control.deploy("hello", pythonPackage("v = 1\n", CANARY));

    assertThat(first.created()).isTrue();
    assertThat(first.rollout()).isNull();
    assertThat(first.notice()).contains("pilotlight.yaml (canary:10%,5m").contains("first revision").contains("nothing to roll out from");
    assertThat(activator.deployment("hello")).contains(first.deployment());
    assertThat(control.rollout("hello")).isEmpty();
    assertThat(control.releases("hello").traffic()).isEqualTo(Traffic.LATEST);
    assertThat(logs.tail("hello", 10)).anySatisfy(l -> assertThat(l).contains("ROLLOUT of revision 1 not started (canary:10%,5m"));
  }

  @Test
  void aManifestRolloutStartsAtTheNextDeployAsAnExplicitOneDoes() throws Exception {
    control.deploy("hello", pythonPackage("v = 1\n", CANARY));

    ControlPlane.Deployed second = control.deploy("hello", pythonPackage("v = 2\n", CANARY));

    Rollout r = second.rollout();
    assertThat(r).isNotNull();
    assertThat(second.notice()).isNull();
    assertThat(r.status()).isEqualTo(Rollout.Status.RUNNING);
    assertThat(r.stable()).isEqualTo(1);
    assertThat(r.canary()).isEqualTo(2);
    assertThat(r.plan()).isEqualTo(RolloutPlan.parse("canary:10%,5m"));
    assertThat(control.rollout("hello")).contains(r);
    assertThat(control.releases("hello").traffic()).isEqualTo(Traffic.parse("1=100 canary:2=0"));
    assertThat(activator.deployment("hello").orElseThrow().revision()).as("the stable revision's pool serves on").isEqualTo(1);
    assertThat(logs.tail("hello", 10)).anySatisfy(l -> assertThat(l).contains("ROLLOUT of revision 2 over revision 1 started"));

    // another deploy while it runs is refused before its code is stored, whatever it asks for
    List<Path> before = codeDirs();
    assertThatThrownBy(() -> control.deploy("hello", pythonPackage("v = 3\n", CANARY))).isInstanceOf(Failure.Conflict.class)
        .hasMessageContaining("promote or abort it first");
    assertThatThrownBy(() -> control.deploy("hello", pythonPackage("v = 3\n", CANARY), Optional.empty()))
        .isInstanceOf(Failure.Conflict.class);
    assertThat(codeDirs()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void noneDeploysAtOnceWhateverTheManifestSays() {
    control.deploy("hello", pythonPackage("v = 1\n"));

    ControlPlane.Deployed urgent = control.deploy("hello", pythonPackage("v = 2\n", CANARY), Optional.empty());

    assertThat(urgent.rollout()).isNull();
    assertThat(urgent.notice()).isNull();
    assertThat(control.rollout("hello")).isEmpty();
    assertThat(control.releases("hello").traffic()).isEqualTo(Traffic.LATEST);
    assertThat(activator.deployment("hello")).contains(urgent.deployment());
    // "rollout: none" in the manifest is the same as no key
    ControlPlane.Deployed none = control.deploy("hello", pythonPackage("v = 3\n", "rollout: none\n"));
    assertThat(none.rollout()).isNull();
    assertThat(activator.deployment("hello")).contains(none.deployment());
  }

  @Test
  void anExplicitPlanWinsOverTheManifests() {
    control.deploy("hello", pythonPackage("v = 1\n"));

    ControlPlane.Deployed d = control.deploy("hello", pythonPackage("v = 2\n", CANARY), Optional.of(RolloutPlan.parse("linear:50%,1m")));

    assertThat(d.rollout().plan()).isEqualTo(RolloutPlan.parse("linear:50%,1m"));
    assertThat(control.rollout("hello").orElseThrow().plan().kind()).isEqualTo("linear");
  }

  @Test
  void aManifestRolloutRefusedUnderASplitSaysWhatToDoAndKeepsNothing() throws Exception {
    control.deploy("hello", pythonPackage("v = 1\n"));
    Deployment second = control.deploy("hello", pythonPackage("v = 2\n")).deployment();
    control.traffic("hello", Traffic.parse("1=50 latest=50"));
    List<Path> before = codeDirs();
    List<String> logBefore = logs.tail("hello", 100);

    assertThatThrownBy(() -> control.deploy("hello", pythonPackage("v = 3\n", CANARY))).isInstanceOf(Failure.Conflict.class)
        .hasMessageContaining("traffic of 'hello' is split (1=50 latest=50)").hasMessageContaining("--rollout none");

    assertThat(codeDirs()).as("the refused package's code").containsExactlyInAnyOrderElementsOf(before);
    assertThat(registry.find("hello")).contains(second);
    assertThat(control.find("hello")).contains(second);
    assertThat(registry.revisions("hello")).extracting(Deployment::revision).containsExactly(1L, 2L);
    assertThat(control.releases("hello").traffic()).isEqualTo(Traffic.parse("1=50 latest=50"));
    assertThat(logs.tail("hello", 100)).isEqualTo(logBefore);
    // the escape hatch
    assertThat(control.deploy("hello", pythonPackage("v = 3\n", CANARY), Optional.empty()).deployment().revision()).isEqualTo(3);
  }

  @Test
  void aManifestWithAnInvalidRolloutIsRefusedAndLeavesNoCode() throws Exception {
    assertThatThrownBy(() -> control.deploy("hello", pythonPackage("v = 1\n", "rollout: canary:150%,5m\n")))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageStartingWith("pilotlight.yaml: rollout: ");

    assertThat(registry.find("hello")).isEmpty();
    assertThat(codeDirs()).isEmpty();
  }

  @Test
  void aDeployNamingAMissingSecretIsRefusedAndTheUsersOfASecretAreTheRevisionsInService() {
    java.util.Set<String> existing = new java.util.HashSet<>();
    control.secretsExist(existing::contains);
    String manifest = "secrets: {DB_PASSWORD: db-password}\nsecretFiles: {token: api-token}\n";
    assertThatThrownBy(() -> control.deploy("app", pythonPackage("v = 1\n", manifest))).isInstanceOf(Failure.InvalidInput.class)
        .hasMessageContaining("secrets 'api-token', 'db-password' do not exist");
    assertThat(registry.find("app")).isEmpty();
    existing.addAll(List.of("db-password", "api-token"));
    control.deploy("app", pythonPackage("v = 1\n", manifest));
    control.deploy("other", pythonPackage("v = 1\n", "secrets: {X: api-token}\n"));
    assertThat(control.secretUsers()).containsOnlyKeys("api-token", "db-password");
    assertThat(control.secretUsers().get("api-token")).containsExactly("app", "other");
    // a redeploy without them: revision 1 is kept but serves nothing, so it no longer counts
    control.deploy("app", pythonPackage("v = 2\n"));
    assertThat(control.secretUsers().get("db-password")).isNull();
    // once an alias serves revision 1, it counts again
    control.alias("app", new Alias("stable", 1L, null, 0, ""), true);
    assertThat(control.secretUsers().get("db-password")).containsExactly("app");
  }
}
