package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public class of {@code aws-lambda-java-events} against AWS's own sample events (listed with
 * their sources in {@code src/test/resources/aws-events/README.md}): the event is bound and the
 * result written through the runner's path (a handler whose input and output are that class), and
 * through AWS's serialization called directly as AWS's runtime interface client calls it; the two
 * JSON documents must be the same tree, or both sides must fail.
 */
class AwsEventBindingTest {
  static final String EVENTS = HandlerLoader.EVENTS_PACKAGE;

  /** Handler types that are not bindable at all (abstract, enums): nothing to compare. */
  static boolean bindable(Class<?> c) {
    return !c.isInterface() && !c.isEnum() && !Modifier.isAbstract(c.getModifiers());
  }

  record Sample(String file, Class<?> type) {}

  static List<Sample> samples() throws IOException, ClassNotFoundException {
    List<Sample> samples = new ArrayList<>();
    try (InputStream in = resource("index.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] parts = trimmed.split("\\s+");
        samples.add(new Sample(parts[0], Class.forName(EVENTS + parts[1])));
      }
    }
    return samples;
  }

  static Stream<Arguments> sampleCases() throws Exception {
    return samples().stream().map(s -> Arguments.of(s.type().getSimpleName() + " ← " + s.file(), s));
  }

  /** Public classes of the events jar without a sample of AWS's: compared on an empty event. */
  static Stream<Arguments> classesWithoutSample() throws Exception {
    Set<Class<?>> sampled = new LinkedHashSet<>();
    for (Sample s : samples()) {
      sampled.add(s.type());
    }
    List<Arguments> cases = new ArrayList<>();
    for (Class<?> c : publicEventClasses()) {
      if (!sampled.contains(c) && bindable(c)) {
        cases.add(Arguments.of(c.getName().substring(EVENTS.length()), c));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sampleCases")
  void bindsAndWritesAwsSampleEventsAsAwsDoes(String name, Sample sample) throws Exception {
    byte[] json;
    try (InputStream in = resource(sample.file())) {
      json = in.readAllBytes();
    }
    Object awsTree = compare(sample.type(), json);
    if (awsTree != null) {
      assertThat(awsTree).as("AWS's serialization read %s into something", sample.file()).isNotEqualTo(Map.of());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classesWithoutSample")
  void bindsEveryOtherEventClassAsAwsDoes(String name, Class<?> type) throws Exception {
    compare(type, "{}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyPublicEventClassIsCovered() throws Exception {
    Set<String> sampled = new TreeSet<>();
    for (Sample s : samples()) {
      sampled.add(s.type().getName());
    }
    List<Class<?>> all = publicEventClasses();
    // The jar of 3.16.1 has 77 public top-level classes; the samples of AWS's cover most of them.
    assertThat(all).hasSizeGreaterThan(60);
    assertThat(sampled).hasSizeGreaterThan(55);
    assertThat(all).contains(S3Event.class);
  }

  /**
   * Binds and writes {@code json} as {@code type} both ways and compares; returns AWS's output as a
   * tree, or null when both sides failed.
   */
  static Object compare(Class<?> type, byte[] json) throws Exception {
    PojoSerializer<Object> aws = awsSerializer(type);
    String awsJson = null;
    Throwable awsFailure = null;
    try {
      Object bound = aws.fromJson(new ByteArrayInputStream(json));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      aws.toJson(bound, out);
      awsJson = out.toString(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      awsFailure = e;
    }

    FunctionHandler.Outcome runner = echo(type).run(TestFunctions.invocation("r", new String(json, StandardCharsets.UTF_8)));
    String runnerBody = new String(runner.body(), StandardCharsets.UTF_8);
    if (awsFailure != null) {
      assertThat(runner.failed()).as("AWS fails on it (%s); so must the runner: %s", awsFailure, runnerBody).isTrue();
      assertThat(runnerBody).contains(type.getName());
      return null;
    }
    assertThat(runner.failed()).as("runner failed: %s", runnerBody).isFalse();
    Object awsTree = JsonParser.parse(awsJson);
    assertThat(JsonParser.parse(runnerBody)).isEqualTo(awsTree);
    return awsTree;
  }

  /** AWS's serializer for {@code type}, chosen as its runtime interface client chooses it. */
  @SuppressWarnings("unchecked")
  static PojoSerializer<Object> awsSerializer(Class<?> type) {
    if (LambdaEventSerializers.isLambdaSupportedEvent(type.getName())) {
      return LambdaEventSerializers.serializerFor((Class<Object>) type, AwsEventBindingTest.class.getClassLoader());
    }
    return JacksonFactory.getInstance().getSerializer((Type) type);
  }

  /** The runner's handler for {@code type} in, {@code type} out: the event as it was bound, written back. */
  static FunctionHandler echo(Class<?> type) throws Exception {
    Method echo = AwsEventBindingTest.class.getDeclaredMethod("echo", Object.class);
    ClassLoader loader = AwsEventBindingTest.class.getClassLoader();
    return new FunctionHandler(loader, null, echo, FunctionHandler.INPUT, type, type, null,
        HandlerLoader.awsCodec(type, loader), HandlerLoader.awsCodec(type, loader));
  }

  static Object echo(Object event) {
    return event;
  }

  static List<Class<?>> publicEventClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path jar = Path.of(S3Event.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> classes = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        String entry = entries.nextElement().getName();
        if (entry.endsWith(".class") && !entry.contains("$") && !entry.endsWith("package-info.class")) {
          Class<?> c = Class.forName(entry.substring(0, entry.length() - 6).replace('/', '.'));
          if (Modifier.isPublic(c.getModifiers()) && c.getName().startsWith(EVENTS)) {
            classes.add(c);
          }
        }
      }
    }
    return classes;
  }

  static InputStream resource(String name) {
    InputStream in = AwsEventBindingTest.class.getClassLoader().getResourceAsStream("aws-events/" + name);
    assertThat(in).as("test resource aws-events/%s", name).isNotNull();
    return in;
  }
}
