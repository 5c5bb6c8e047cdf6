package dev.pilotlight.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trace in the CSV format of the Azure Functions Trace 2019 (Shahrad et al., ATC 2020), read by
 * column name so any day of the dataset, or a sample of it, works:
 *
 * <ul>
 *   <li>{@code invocations.csv} ({@code invocations_per_function_md.anon.dNN.csv}): {@code HashOwner,
 *       HashApp, HashFunction, Trigger}, then one column per minute named by its number (1..1440 in
 *       the dataset, 480..959 in the 500-function sample), each an invocation count.
 *   <li>{@code durations.csv} ({@code function_durations_percentiles…}): per function,
 *       {@code Average} execution time in ms (and percentiles, not used).
 *   <li>{@code memory.csv} ({@code app_memory_percentiles…}): per app, {@code AverageAllocatedMb};
 *       matched by {@code HashFunction} when the file has that column, else by owner and app.
 * </ul>
 *
 * A function missing from the durations or memory file gets the median of those that are there;
 * {@link #notes} says how many did.
 */
record AzureTrace(Path dir, int firstMinute, int minutes, List<TracedFunction> functions, List<String> notes) {

  /** One function of the trace: its invocations per minute, average duration and its app's memory. */
  record TracedFunction(int index, String owner, String app, String function, String trigger, int[] perMinute,
      double durationMs, double memoryMb) {
    long invocations() {
      long n = 0;
      for (int c : perMinute) {
        n += c;
      }
      return n;
    }
  }

  static final String INVOCATIONS = "invocations.csv";
  static final String DURATIONS = "durations.csv";
  static final String MEMORY = "memory.csv";

  /** Reads the three files in {@code dir}; a missing file or column is a {@link BenchFailure} saying which. */
  static AzureTrace read(Path dir) throws IOException {
    for (String f : List.of(INVOCATIONS, DURATIONS, MEMORY)) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new BenchFailure("trace " + dir + ": no " + f + " (expected " + INVOCATIONS + ", " + DURATIONS + " and " + MEMORY
            + " in the format of the Azure Functions Trace 2019)");
      }
    }
    Csv durations = Csv.read(dir.resolve(DURATIONS), "HashOwner", "HashApp", "HashFunction", "Average");
    Map<String, Double> durationByFunction = new HashMap<>();
    for (String[] row : durations.rows()) {
      double ms = durations.number(row, "Average");
      if (ms >= 0) {
        durationByFunction.put(key(durations.get(row, "HashOwner"), durations.get(row, "HashApp"), durations.get(row, "HashFunction")), ms);
      }
    }
    Csv memory = Csv.read(dir.resolve(MEMORY), "HashOwner", "HashApp", "AverageAllocatedMb");
    boolean memoryPerFunction = memory.has("HashFunction");
    Map<String, Double> memoryByKey = new HashMap<>();
    for (String[] row : memory.rows()) {
      double mb = memory.number(row, "AverageAllocatedMb");
      if (mb > 0) {
        memoryByKey.put(key(memory.get(row, "HashOwner"), memory.get(row, "HashApp"),
            memoryPerFunction ? memory.get(row, "HashFunction") : ""), mb);
      }
    }
    double medianMs = median(durationByFunction.values());
    double medianMb = median(memoryByKey.values());

    List<TracedFunction> functions = new ArrayList<>();
    int[] missing = new int[2]; // no duration, no memory
    int[] firstAndCount = {-1, 0};
    Csv.stream(dir.resolve(INVOCATIONS), new String[] {"HashOwner", "HashApp", "HashFunction", "Trigger"}, (inv, minuteColumns, row) -> {
      int[] counts = new int[minuteColumns.length];
      for (int m = 0; m < counts.length; m++) {
        String v = row[minuteColumns[m]].trim();
        counts[m] = v.isEmpty() ? 0 : (int) Math.round(Double.parseDouble(v));
      }
      String owner = inv.get(row, "HashOwner");
      String app = inv.get(row, "HashApp");
      String fn = inv.get(row, "HashFunction");
      Double ms = durationByFunction.get(key(owner, app, fn));
      if (ms == null) {
        missing[0]++;
        ms = medianMs;
      }
      Double mb = memoryByKey.get(key(owner, app, memoryPerFunction ? fn : ""));
      if (mb == null) {
        missing[1]++;
        mb = medianMb;
      }
      functions.add(new TracedFunction(functions.size(), owner, app, fn, inv.get(row, "Trigger"), counts, ms, mb));
    }, firstAndCount);
    int noDuration = missing[0];
    int noMemory = missing[1];
    List<String> notes = new ArrayList<>();
    if (noDuration > 0) {
      notes.add(noDuration + " of " + functions.size() + " functions have no row in " + DURATIONS + ": they run for the median, "
          + Math.round(medianMs) + " ms");
    }
    if (noMemory > 0) {
      notes.add(noMemory + " of " + functions.size() + " functions have no row in " + MEMORY + ": they take the median, "
          + Math.round(medianMb) + " MB");
    }
    return new AzureTrace(dir, firstAndCount[0], firstAndCount[1], List.copyOf(functions), List.copyOf(notes));
  }

  private static String key(String owner, String app, String function) {
    return owner + '/' + app + '/' + function;
  }

  private static double median(Collection<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  long invocations() {
    return functions.stream().mapToLong(TracedFunction::invocations).sum();
  }

  /** A header and rows of a comma-separated file without quoted fields (the dataset has none). */
  record Csv(Path file, String[] header, Map<String, Integer> columns, List<String[]> rows) {
    static Csv read(Path file, String... required) throws IOException {
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String first = r.readLine();
        if (first == null) {
          throw new BenchFailure("trace " + file + ": empty (expected a header line)");
        }
        Csv csv = of(file, first, required);
        int line = 1;
        for (String l; (l = r.readLine()) != null; ) {
          line++;
          if (!l.isBlank()) {
            csv.rows.add(csv.split(l, line));
          }
        }
        return csv;
      }
    }

    /** What {@link #stream} hands over per row: the file's columns, the minute columns' indexes and the row. */
    @FunctionalInterface
    interface MinuteRows {
      void row(Csv columns, int[] minuteColumns, String[] row);
    }

    /**
     * Reads an invocation file row by row without keeping the rows (a day of the full dataset has
     * tens of thousands of rows of 1,440 counts). Columns named by a number are minutes and must be
     * consecutive; {@code firstAndCount} receives the first minute and how many there are.
     */
    static void stream(Path file, String[] required, MinuteRows sink, int[] firstAndCount) throws IOException {
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String first = r.readLine();
        if (first == null) {
          throw new BenchFailure("trace " + file + ": empty (expected a header line)");
        }
        Csv csv = of(file, first, required);
        List<Integer> minutes = new ArrayList<>();
        int firstMinute = -1;
        for (int i = 0; i < csv.header.length; i++) {
          String h = csv.header[i].trim();
          if (h.matches("\\d+")) {
            int minute = Integer.parseInt(h);
            if (firstMinute < 0) {
              firstMinute = minute;
            } else if (minute != firstMinute + minutes.size()) {
              throw new BenchFailure("trace " + file + ": minute column '" + h + "' (expected " + (firstMinute + minutes.size())
                  + ": the minutes must be consecutive)");
            }
            minutes.add(i);
          }
        }
        if (minutes.isEmpty()) {
          throw new BenchFailure("trace " + file + ": no minute columns (expected columns named 1, 2, … after Trigger)");
        }
        int[] minuteColumns = minutes.stream().mapToInt(Integer::intValue).toArray();
        firstAndCount[0] = firstMinute;
        firstAndCount[1] = minuteColumns.length;
        int line = 1;
        for (String l; (l = r.readLine()) != null; ) {
          line++;
          if (!l.isBlank()) {
            sink.row(csv, minuteColumns, csv.split(l, line));
          }
        }
      }
    }

    private static Csv of(Path file, String headerLine, String... required) {
      String[] header = headerLine.replace("\uFEFF", "").split(",", -1);
      Map<String, Integer> columns = new HashMap<>();
      for (int i = 0; i < header.length; i++) {
        columns.putIfAbsent(header[i].trim(), i);
      }
      for (String c : required) {
        if (!columns.containsKey(c)) {
          throw new BenchFailure("trace " + file + ": no column " + c + " (its columns: " + String.join(", ", Arrays.asList(header).subList(0,
              Math.min(header.length, 12))) + (header.length > 12 ? ", …" : "") + ")");
        }
      }
      return new Csv(file, header, columns, new ArrayList<>());
    }

    private String[] split(String l, int line) {
      String[] row = l.split(",", -1);
      if (row.length != header.length) {
        throw new BenchFailure("trace " + file + ": line " + line + " has " + row.length + " fields (expected " + header.length + ")");
      }
      return row;
    }

    boolean has(String column) {
      return columns.containsKey(column);
    }

    String get(String[] row, String column) {
      return row[columns.get(column)].trim();
    }

    double number(String[] row, String column) {
      String v = get(row, column);
      try {
        return v.isEmpty() ? Double.NaN : Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new BenchFailure("trace " + file + ": " + column + " '" + v + "' is not a number");
      }
    }
  }
}
