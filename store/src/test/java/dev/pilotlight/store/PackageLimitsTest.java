package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class PackageLimitsTest {
  @Test
  void theLargestUploadRequestHoldsTheLargestPackageAsBase64AndAMegabyteMore() {
    for (long zipped : new long[] {1, 2, 3, 4, 1000, 50 * PackageLimits.MB}) {
      PackageLimits limits = new PackageLimits(zipped, 250 * PackageLimits.MB, 20_000);
      long base64 = Base64.getEncoder().encode(new byte[(int) zipped]).length;
      assertThat(limits.largestUploadRequestBytes()).as("zipped %d", zipped).isEqualTo(base64 + PackageLimits.MB);
    }
  }
}
