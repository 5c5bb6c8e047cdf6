package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureTraceTest {
  @TempDir
  Path dir;

  void write(String file, String text) throws Exception {
    Files.writeString(dir.resolve(file), text);
  }

  @Test
  void readsByColumnNameWithPerAppMemoryAndMediansForWhatIsMissing() throws Exception {
    write("invocations.csv", """
        HashOwner,HashApp,HashFunction,Trigger,1,2,3
        o1,a1,f1,http,1,0,2
        o1,a1,f2,timer,0,0,1
        o2,a2,f3,queue,5,5,5
        """);
    write("durations.csv", """
        HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum
        o1,a1,f1,100,3,1,200
        o2,a2,f3,300,15,1,900
        """);
    // the dataset's app_memory_percentiles: per app, no HashFunction column
    write("memory.csv", """
        HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1
        o1,a1,10,128,100
        """);
    AzureTrace t = AzureTrace.read(dir);
    assertThat(t.firstMinute()).isEqualTo(1);
    assertThat(t.minutes()).isEqualTo(3);
    assertThat(t.invocations()).isEqualTo(19);
    assertThat(t.functions()).extracting(AzureTrace.TracedFunction::function).containsExactly("f1", "f2", "f3");
    assertThat(t.functions().get(0).perMinute()).containsExactly(1, 0, 2);
    assertThat(t.functions().get(1).durationMs()).isEqualTo(200); // median of 100 and 300
    assertThat(t.functions().get(1).memoryMb()).isEqualTo(128); // its app's
    assertThat(t.functions().get(2).memoryMb()).isEqualTo(128); // the median
    assertThat(t.notes()).hasSize(2);
  }

  @Test
  void aMissingFileOrColumnIsNamed() throws Exception {
    assertThatThrownBy(() -> AzureTrace.read(dir)).hasMessageContaining("no invocations.csv");
    write("invocations.csv", "HashOwner,HashApp,HashFunction,Trigger,1\no,a,f,http,1\n");
    write("durations.csv", "HashOwner,HashApp,HashFunction,Avg\n");
    write("memory.csv", "HashOwner,HashApp,AverageAllocatedMb\n");
    assertThatThrownBy(() -> AzureTrace.read(dir)).hasMessageContaining("no column Average");
  }

  @Test
  void theSampleTraceReads() throws Exception {
    Path sample = Path.of(System.getProperty("pilotlight.root", "..")).resolve(TraceCommand.DEFAULT_TRACE);
    Assumptions.assumeTrue(Files.isDirectory(sample), "the shared sample trace is not here");
    AzureTrace t = AzureTrace.read(sample);
    assertThat(t.functions()).hasSize(500);
    assertThat(t.firstMinute()).isEqualTo(480);
    assertThat(t.minutes()).isEqualTo(480);
    assertThat(t.notes()).isEmpty();
  }
}
