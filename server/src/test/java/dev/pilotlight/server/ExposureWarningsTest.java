package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExposureWarningsTest {
  @Test
  void loopbackWithAuthSaysNothing() {
    assertThat(ExposureWarnings.of("127.0.0.1", DaemonConfig.Security.DEFAULTS)).isEmpty();
    assertThat(ExposureWarnings.of("localhost", DaemonConfig.Security.DEFAULTS)).isEmpty();
  }

  @Test
  void everyAddressWithoutTlsOrWithoutAuthIsWarnedAbout() {
    assertThat(ExposureWarnings.of("0.0.0.0", DaemonConfig.Security.DEFAULTS)).singleElement().asString().contains("without TLS");
    DaemonConfig.Security noAuth = new DaemonConfig.Security(false, Set.of(), Set.of(), null, null);
    assertThat(ExposureWarnings.of("127.0.0.1", noAuth)).singleElement().asString().contains("authentication is OFF");
    assertThat(ExposureWarnings.of("0.0.0.0", noAuth)).hasSize(2);
    DaemonConfig.Security tls = new DaemonConfig.Security(true, Set.of(), Set.of(), Path.of("c.pem"), Path.of("k.pem"));
    assertThat(ExposureWarnings.of("0.0.0.0", tls)).isEmpty();
  }
}
