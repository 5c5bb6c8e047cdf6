package dev.pilotlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pilotlight.model.Durations;
import dev.pilotlight.server.Main;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A schema check of {@code deploy/kubernetes/} where neither kubectl nor helm can be installed:
 * every manifest is read as the Kubernetes API type of its kind (fabric8's model), strictly — a
 * field the type does not have fails, where the model would otherwise keep it aside — and the
 * kustomization is checked against the files it names. Then what matters for Pilotlight: the
 * probes ask {@code /healthz} on the container's port, the grace period outlasts the preStop sleep
 * and the drain, every flag is one {@code pilotlight serve} has and parses, every Secret used is
 * one the kustomization makes (with the key used), and the memory matches the memory budget.
 */
class KubernetesManifestsTest {
  private static final Path DIR = locate();
  private static final ObjectMapper YAML = strict(new ObjectMapper(new YAMLFactory()));
  /** The daemon's own memory at 1,000 deployed functions (docs/performance.md: 95 MB + 41 KB each). */
  private static final long DAEMON_MB = 95 + 41 * 1000 / 1024;
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of("v1/Namespace", Namespace.class, "v1/Service", Service.class,
      "apps/v1/StatefulSet", StatefulSet.class);
  /** The fields of kustomize's Kustomization (kustomize.config.k8s.io/v1beta1) this directory may use. */
  private static final Set<String> KUSTOMIZATION_FIELDS = Set.of("apiVersion", "kind", "namespace", "namePrefix", "nameSuffix", "labels",
      "commonAnnotations", "resources", "images", "secretGenerator", "configMapGenerator", "generatorOptions", "patches", "replicas");
  private static final Set<String> SECRET_GENERATOR_FIELDS = Set.of("name", "envs", "files", "literals", "type", "options");

  private final Map<String, Object> kustomization = read("kustomization.yaml", new TypeReference<>() {});
  private final List<HasMetadata> resources = resources();
  private final StatefulSet set = only(StatefulSet.class);
  private final PodSpec pod = set.getSpec().getTemplate().getSpec();
  private final Container daemon = pod.getContainers().getFirst();
  private final List<String> args = daemon.getArgs();

  @Test
  void everyManifestIsItsKindsApiTypeWithNoUnknownField() {
    assertThat(kustomization.get("apiVersion")).isEqualTo("kustomize.config.k8s.io/v1beta1");
    assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
    assertThat(KUSTOMIZATION_FIELDS).containsAll(kustomization.keySet());
    assertThat(resources).extracting(HasMetadata::getKind).contains("StatefulSet", "Service", "Namespace");
    assertThat(resources).allSatisfy(r -> assertThat(r.getMetadata().getName()).as(r.getKind()).isNotBlank());
    try (var files = Files.list(DIR)) {
      List<String> yaml = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
          .toList();
      assertThat(resourceNames()).as("every manifest here is in the kustomization").containsExactlyInAnyOrderElementsOf(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aMisspelledFieldIsRefused() {
    String typo = """
        apiVersion: v1
        kind: Service
        metadata:
          name: x
        spec:
          selectr:
            app: x
        """;
    assertThatThrownBy(() -> YAML.readValue(typo, Service.class)).isInstanceOf(UnrecognizedPropertyException.class)
        .hasMessageContaining("selectr");
  }

  @Test
  void theProbesAskHealthzOnTheDaemonsPort() {
    int port = Integer.parseInt(flag("--port"));
    assertThat(daemon.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getContainerPort()).isEqualTo(port);
      assertThat(p.getName()).isEqualTo("http");
    });
    for (Probe probe : List.of(daemon.getStartupProbe(), daemon.getReadinessProbe(), daemon.getLivenessProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
      var target = probe.getHttpGet().getPort();
      assertThat(target.getIntVal() != null ? target.getIntVal().toString() : target.getStrVal()).isIn(Integer.toString(port), "http");
    }
    assertThat(flag("--host")).as("reachable from the kubelet and the Services").isEqualTo("0.0.0.0");
  }

  @Test
  void theGracePeriodOutlastsThePreStopSleepAndTheDrain() {
    Duration drain = Durations.parse("--drain-timeout", flag("--drain-timeout"));
    long preStop = daemon.getLifecycle().getPreStop().getSleep().getSeconds();
    long grace = pod.getTerminationGracePeriodSeconds();
    // a few seconds after the drain: stopping the instances and closing the stores
    assertThat(grace).as("terminationGracePeriodSeconds").isGreaterThanOrEqualTo(preStop + drain.toSeconds() + 5);
    Probe liveness = daemon.getLivenessProbe();
    assertThat((long) liveness.getPeriodSeconds() * liveness.getFailureThreshold())
        .as("a drain's 503s never add up to a failed liveness probe").isGreaterThan(preStop + drain.toSeconds());
  }

  @Test
  void everyFlagIsOneThatServeHasAndParses() {
    assertThat(args.getFirst()).isEqualTo("serve");
    List<String> flags = args.subList(1, args.size());
    CommandLine cli = new CommandLine(new Main());
    cli.parseArgs(flags.toArray(String[]::new)); // throws on an unknown flag or a bad value
    assertThat(daemon.getCommand()).as("the image's entrypoint runs the daemon").isNullOrEmpty();
  }

  @Test
  void everySecretUsedIsOneTheKustomizationMakesWithTheKeyUsed() {
    Map<String, Set<String>> made = secretKeys();
    List<String> used = new ArrayList<>();
    for (EnvVar env : daemon.getEnv()) {
      if (env.getName().equals("POD_IP")) { // the pod's address, for PILOTLIGHT_ADVERTISE
        assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        continue;
      }
      assertThat(env.getName()).startsWith("PILOTLIGHT_");
      assertThat(documented(env.getName())).as(env.getName() + " is documented").isTrue();
      if (env.getValueFrom() == null) { // a value of its own, not a secret: where the others reach this daemon
        assertThat(env.getName()).isEqualTo("PILOTLIGHT_ADVERTISE");
        assertThat(env.getValue()).isEqualTo("$(POD_IP):8080");
        continue;
      }
      var ref = env.getValueFrom().getSecretKeyRef();
      assertThat(made).as("the Secret of " + env.getName()).containsKey(ref.getName());
      assertThat(made.get(ref.getName())).as("the keys of " + ref.getName()).contains(ref.getKey());
      used.add(ref.getName());
    }
    for (Volume v : pod.getVolumes()) {
      if (v.getSecret() != null) {
        assertThat(made).as("the Secret of volume " + v.getName()).containsKey(v.getSecret().getSecretName());
        assertThat(v.getSecret().getDefaultMode()).as("readable by root only: sandboxes see the root file system").isEqualTo(0400);
        used.add(v.getSecret().getSecretName());
      }
    }
    assertThat(used).as("every Secret made is used").containsExactlyInAnyOrderElementsOf(made.keySet());
    assertThat(pod.getAutomountServiceAccountToken()).as("no token on the root file system that sandboxes see").isFalse();
  }

  @Test
  void thePodGetsWhatTheSandboxNeedsAndItsNamespaceAdmitsIt() {
    var security = daemon.getSecurityContext();
    assertThat(security.getPrivileged()).as("namespaces (CAP_SYS_ADMIN, no seccomp/AppArmor refusal) and writable cgroups").isTrue();
    assertThat(security.getRunAsUser()).as("root: a uid of its own for each instance").isZero();
    Namespace ns = only(Namespace.class);
    assertThat(ns.getMetadata().getName()).isEqualTo(kustomization.get("namespace"));
    assertThat(ns.getMetadata().getLabels()).as("Pod Security Admission admits privileged pods")
        .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
  }

  @Test
  void theMemoryIsTheBudgetPlusTheDaemonsOwnAndTheCpuIsRequested() {
    long budgetMb = Long.parseLong(flag("--memory-budget-mb"));
    var resources = daemon.getResources();
    BigDecimal limit = Quantity.getAmountInBytes(resources.getLimits().get("memory"));
    assertThat(Quantity.getAmountInBytes(resources.getRequests().get("memory"))).as("memory request = limit").isEqualTo(limit);
    long limitMb = limit.longValueExact() / (1024 * 1024);
    assertThat(limitMb - budgetMb).as("the daemon's own memory beside the budget").isBetween(DAEMON_MB, 1024L);
    assertThat(resources.getRequests()).containsKey("cpu");
  }

  @Test
  void theServicesAndTheImageMatchThePods() {
    Map<String, String> labels = set.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(labels).containsAllEntriesOf(set.getSpec().getSelector().getMatchLabels());
    List<Service> services = resources.stream().filter(Service.class::isInstance).map(Service.class::cast).toList();
    assertThat(services).allSatisfy(s -> {
      assertThat(labels).containsAllEntriesOf(s.getSpec().getSelector());
      assertThat(s.getSpec().getPorts()).allSatisfy(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
    });
    Service nodes = services.stream().filter(s -> s.getMetadata().getName().equals(set.getSpec().getServiceName())).findFirst()
        .orElseThrow(() -> new AssertionError("no Service named " + set.getSpec().getServiceName() + " (the StatefulSet's serviceName)"));
    assertThat(nodes.getSpec().getClusterIP()).as("headless").isEqualTo("None");
    assertThat(services).anySatisfy(s -> assertThat(s.getSpec().getClusterIP()).isNull());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> images = (List<Map<String, Object>>) kustomization.get("images");
    assertThat(images).extracting(i -> i.get("name")).containsExactly(daemon.getImage());
  }

  /** Each Secret the kustomization generates, with its keys as the committed {@code *.example} files show them. */
  private Map<String, Set<String>> secretKeys() {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> generators = (List<Map<String, Object>>) kustomization.get("secretGenerator");
    Map<String, Set<String>> made = new LinkedHashMap<>();
    for (Map<String, Object> g : generators) {
      assertThat(SECRET_GENERATOR_FIELDS).containsAll(g.keySet());
      Set<String> keys = new TreeSet<>();
      for (Object env : list(g.get("envs"))) {
        keys.addAll(envKeys(example(env.toString())));
      }
      for (Object file : list(g.get("files"))) {
        String[] keyAndPath = file.toString().split("=", 2);
        assertThat(keyAndPath).as("files entry " + file + " is KEY=PATH").hasSize(2);
        assertThat(Files.isRegularFile(example(keyAndPath[1]))).as(keyAndPath[1] + ".example").isTrue();
        keys.add(keyAndPath[0]);
      }
      made.put(g.get("name").toString(), keys);
    }
    return made;
  }

  /** The committed example of an operator's secret file, which the file itself is written from. */
  private static Path example(String path) {
    Path example = DIR.resolve(path + ".example");
    assertThat(Files.isRegularFile(example)).as(example + " shows the form of " + path).isTrue();
    return example;
  }

  private static Set<String> envKeys(Path file) {
    try {
      return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<?> list(Object o) {
    return o == null ? List.of() : (List<?>) o;
  }

  private static boolean documented(String env) {
    try {
      Path docs = DIR.resolve("../../docs");
      return Files.readString(docs.resolve("configuration.md")).contains(env) || Files.readString(docs.resolve("cluster.md")).contains(env);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of {@code name} in the container's args (the last, for a repeated flag). */
  private String flag(String name) {
    int i = args.lastIndexOf(name);
    assertThat(i).as(name + " in the daemon's args").isNotNegative();
    return args.get(i + 1);
  }

  private List<String> resourceNames() {
    return list(kustomization.get("resources")).stream().map(Object::toString).toList();
  }

  private List<HasMetadata> resources() {
    List<HasMetadata> all = new ArrayList<>();
    for (String file : resourceNames()) {
      JsonNode tree = read(file, new TypeReference<>() {});
      String kind = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
      Class<? extends HasMetadata> type = KINDS.get(kind);
      assertThat(type).as(file + ": a kind this check knows (" + KINDS.keySet() + ")").isNotNull();
      try {
        all.add(YAML.treeToValue(tree, type));
      } catch (IOException e) {
        throw new AssertionError(file + " is not a valid " + kind + ": " + e.getMessage(), e);
      }
    }
    return all;
  }

  private <T extends HasMetadata> T only(Class<T> type) {
    List<T> of = resources.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(of).hasSize(1);
    return of.getFirst();
  }

  private static <T> T read(String file, TypeReference<T> type) {
    try {
      return YAML.readValue(DIR.resolve(file).toFile(), type);
    } catch (IOException e) {
      throw new AssertionError(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A mapper that fails on any field the type does not declare: fabric8's types keep unknown
   * fields in a map of "additional properties" (a JSON any-setter), which is dropped here so a
   * typo fails instead of vanishing.
   */
  private static ObjectMapper strict(ObjectMapper mapper) {
    SimpleModule noAnySetter = new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean, BeanDeserializerBuilder builder) {
        if (bean.getBeanClass().getName().startsWith("io.fabric8.")) {
          builder.setAnySetter(null);
        }
        return builder;
      }
    });
    return mapper.registerModule(noAnySetter).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }

  private static Path locate() {
    for (Path p : List.of(Path.of("../deploy/kubernetes"), Path.of("deploy/kubernetes"))) {
      if (Files.isRegularFile(p.resolve("kustomization.yaml"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new AssertionError("deploy/kubernetes/kustomization.yaml not found from " + Path.of("").toAbsolutePath());
  }
}
