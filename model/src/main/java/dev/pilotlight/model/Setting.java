package dev.pilotlight.model;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One function setting, declared once in {@link FunctionSettings}: its manifest key, the key it is
 * stored under, its {@code deploy} flag and the {@code serve} flag that sets its daemon-wide
 * default, how its text is read and printed, its check, its default and where the status view
 * shows it. The manifest, the registry's JSON, the status view and the CLI are written from these
 * declarations, and tests hold each of them (and docs/configuration.md) to the list.
 *
 * @param <T> the value's type: String, Runtime, Integer, Double, Duration, KeepAlive or a map
 */
public final class Setting<T> {

  /** How a value is read from text and written back. */
  public enum Kind {
    TEXT("a string"),
    RUNTIME("a string"),
    INTEGER("an integer"),
    DECIMAL("a number such as 0.7 or 2"),
    DURATION("a duration such as 30s, 5m or a whole number of seconds"),
    KEEP_ALIVE("a string"),
    MAP("a mapping of NAME: value");

    private final String expected;

    Kind(String expected) {
      this.expected = expected;
    }
  }

  /** When the status view shows a setting. */
  public enum Shown {
    /** Never: the status view has no key for it. */
    NEVER,
    /** Always, null included. */
    ALWAYS,
    /** Only when it has a value. */
    WHEN_SET
  }

  private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)");

  private final String key;
  private final Kind kind;
  private final boolean scaling;
  private final String storedKey;
  private final String flag;
  private final String flagLabel;
  private final String daemonFlag;
  private final String doc;
  private final String expected;
  private final T defaultValue;
  private final boolean writtenAtDefault;
  private final Consumer<T> check;
  private final Function<FunctionSpec, T> get;
  private final BiConsumer<FunctionSpec.Builder, T> set;
  private final Function<ScalingSettings, T> scalingGet;
  private final BiConsumer<ScalingSettings.Builder, T> scalingSet;
  private final String viewKey;
  private final Shown shown;
  private final Function<FunctionSpec, Object> viewValue;

  private Setting(Declaration<T> d) {
    this.key = d.key;
    this.kind = d.kind;
    this.scaling = d.scalingGet != null;
    this.storedKey = d.storedKey != null ? d.storedKey : d.key;
    this.flag = d.flag;
    this.flagLabel = d.flagLabel;
    this.daemonFlag = d.daemonFlag;
    this.doc = Objects.requireNonNull(d.doc, "doc");
    this.expected = d.expected != null ? d.expected : d.kind.expected;
    this.defaultValue = d.defaultValue;
    this.writtenAtDefault = d.writtenAtDefault;
    this.check = d.check;
    this.scalingGet = d.scalingGet;
    this.scalingSet = d.scalingSet;
    this.get = scaling ? s -> d.scalingGet.apply(s.scaling()) : d.get;
    this.set = scaling ? (b, v) -> d.scalingSet.accept(b.scalingBuilder(), v) : d.set;
    this.viewKey = d.shown == Shown.NEVER ? null : d.viewKey != null ? d.viewKey : d.key;
    this.shown = d.shown;
    this.viewValue = d.viewValue != null ? d.viewValue : s -> format(get.apply(s));
  }

  /** Declares a setting kept in {@link FunctionSpec} itself. */
  static <T> Declaration<T> spec(String key, Kind kind, Function<FunctionSpec, T> get, BiConsumer<FunctionSpec.Builder, T> set) {
    Declaration<T> d = new Declaration<>(key, kind);
    d.get = get;
    d.set = set;
    return d;
  }

  /** Declares an autoscaler or queue setting, kept in {@link ScalingSettings}; unset by default (the daemon's). */
  static <T> Declaration<T> scaling(String key, Kind kind, Function<ScalingSettings, T> get, BiConsumer<ScalingSettings.Builder, T> set) {
    Declaration<T> d = new Declaration<>(key, kind);
    d.scalingGet = get;
    d.scalingSet = set;
    d.shown = Shown.WHEN_SET;
    return d;
  }

  /** The manifest key, e.g. {@code memory}. */
  public String key() {
    return key;
  }

  public Kind kind() {
    return kind;
  }

  /** Whether it lives in {@link ScalingSettings} (stored under {@code scaling}) rather than in the spec itself. */
  public boolean isScaling() {
    return scaling;
  }

  /** The key in the registry's JSON; never renamed, or stored specs would lose the value. */
  public String storedKey() {
    return storedKey;
  }

  /** The {@code deploy} flag, e.g. {@code --memory}; null when there is none. */
  public String flag() {
    return flag;
  }

  /** What the {@code deploy} flag's help calls its value, e.g. {@code MB}. */
  public String flagLabel() {
    return flagLabel;
  }

  /** The {@code serve} flag that sets the daemon's default for functions that do not set it; null when there is none. */
  public String daemonFlag() {
    return daemonFlag;
  }

  /** One line on what it does (the {@code deploy} flag's help). */
  public String doc() {
    return doc;
  }

  /** What a value of the wrong type is told was expected, e.g. {@code an integer}. */
  public String expected() {
    return expected;
  }

  /** The value when the manifest leaves it out; null for the daemon's (or none). */
  public T defaultValue() {
    return defaultValue;
  }

  /** The key in the status view; null when the view does not show it. */
  public String viewKey() {
    return viewKey;
  }

  public Shown shown() {
    return shown;
  }

  public T get(FunctionSpec spec) {
    return get.apply(spec);
  }

  public void set(FunctionSpec.Builder builder, T value) {
    set.accept(builder, value);
  }

  /** The value in daemon-wide scaling settings; only for {@link #isScaling()} settings. */
  public T get(ScalingSettings settings) {
    return scalingGet.apply(settings);
  }

  public void set(ScalingSettings.Builder builder, T value) {
    scalingSet.accept(builder, value);
  }

  /** Sets a value of unchecked type: one parsed by this setting, read back from storage. */
  @SuppressWarnings("unchecked")
  public void setParsed(FunctionSpec.Builder builder, Object value) {
    set(builder, (T) value);
  }

  /**
   * Reads the text of a manifest scalar or a flag; {@code name} is what an error calls it (the key,
   * or the flag).
   */
  @SuppressWarnings("unchecked")
  public T parse(String name, String text) {
    Object v = switch (kind) {
      case TEXT -> text;
      case RUNTIME -> Runtime.parse(text);
      case INTEGER -> {
        if (text != null && INTEGER.matcher(text.trim()).matches()) {
          try {
            yield Integer.parseInt(text.trim());
          } catch (NumberFormatException tooBig) {
            // falls through to the type error
          }
        }
        throw wrongType(name, "'" + text + "'");
      }
      case DECIMAL -> {
        if (text != null && DECIMAL.matcher(text.trim()).matches()) {
          yield Double.parseDouble(text.trim());
        }
        throw wrongType(name, "'" + text + "'");
      }
      case DURATION -> Durations.parse(name, text);
      case KEEP_ALIVE -> KeepAlive.parse(name, text);
      case MAP -> throw new IllegalStateException(key + " is a mapping, not a scalar");
    };
    return (T) v;
  }

  /** The error for a value of the wrong type; {@code described} is how the value is shown. */
  public Failure.InvalidInput wrongType(String name, String described) {
    return new Failure.InvalidInput(name + ": " + described + " (expected: " + expected + ")");
  }

  /** The value as the manifest and the status view write it: durations as {@code 30s}, runtimes and policies by id. */
  public Object format(T value) {
    return switch (value) {
      case null -> null;
      case Duration d -> Durations.format(d);
      case Runtime r -> r.id();
      case KeepAlive k -> k.id();
      default -> value;
    };
  }

  /** Whether {@link #format}ted manifests carry this value: not when null, empty or (for some) the default. */
  public boolean written(T value) {
    if (value == null || value instanceof Map<?, ?> m && m.isEmpty()) {
      return false;
    }
    return writtenAtDefault || !value.equals(defaultValue);
  }

  /** The value as the registry stores it: durations in ISO-8601 ({@code PT30S}). */
  public Object store(T value) {
    return value instanceof Duration d ? d.toString() : format(value);
  }

  /** Reads back what {@link #store} wrote: a number for numbers, else text. */
  @SuppressWarnings("unchecked")
  public T unstore(Object stored) {
    Object v = switch (kind) {
      case TEXT -> String.valueOf(stored);
      case RUNTIME -> Runtime.parse(String.valueOf(stored));
      case INTEGER -> stored instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(stored));
      case DECIMAL -> stored instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(stored));
      case DURATION -> Duration.parse(String.valueOf(stored));
      case KEEP_ALIVE -> KeepAlive.parse(key, String.valueOf(stored));
      case MAP -> stored;
    };
    return (T) v;
  }

  /** The value the status view shows under {@link #viewKey()}. */
  public Object view(FunctionSpec spec) {
    return viewValue.apply(spec);
  }

  /** Checks a value; a null one is left to the record when the setting has no default (it is then optional or checked with others). */
  void check(T value) {
    if (check != null && (value != null || defaultValue != null)) {
      check.accept(value);
    }
  }

  @Override
  public String toString() {
    return key;
  }

  /** A setting being declared; {@link #build()} ends it. */
  static final class Declaration<T> {
    private final String key;
    private final Kind kind;
    private String storedKey;
    private String flag;
    private String flagLabel;
    private String daemonFlag;
    private String doc;
    private String expected;
    private T defaultValue;
    private boolean writtenAtDefault = true;
    private Consumer<T> check;
    private Function<FunctionSpec, T> get;
    private BiConsumer<FunctionSpec.Builder, T> set;
    private Function<ScalingSettings, T> scalingGet;
    private BiConsumer<ScalingSettings.Builder, T> scalingSet;
    private String viewKey;
    private Shown shown = Shown.ALWAYS;
    private Function<FunctionSpec, Object> viewValue;

    private Declaration(String key, Kind kind) {
      this.key = key;
      this.kind = kind;
    }

    Declaration<T> stored(String k) {
      this.storedKey = k;
      return this;
    }

    Declaration<T> flag(String f, String label) {
      this.flag = f;
      this.flagLabel = label;
      return this;
    }

    Declaration<T> daemonFlag(String f) {
      this.daemonFlag = f;
      return this;
    }

    Declaration<T> doc(String d) {
      this.doc = d;
      return this;
    }

    Declaration<T> expected(String e) {
      this.expected = e;
      return this;
    }

    /** The default; {@code writtenAtDefault} false leaves it out of written manifests when it has it. */
    Declaration<T> byDefault(T value, boolean writtenAtDefault) {
      this.defaultValue = value;
      this.writtenAtDefault = writtenAtDefault;
      return this;
    }

    Declaration<T> check(Consumer<T> c) {
      this.check = c;
      return this;
    }

    Declaration<T> view(String k, Shown s, Function<FunctionSpec, Object> value) {
      this.viewKey = k;
      this.shown = s;
      this.viewValue = value;
      return this;
    }

    Declaration<T> notShown() {
      this.shown = Shown.NEVER;
      return this;
    }

    Setting<T> build() {
      return new Setting<>(this);
    }
  }
}
