package dev.pilotlight.model;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One deployed revision of a function: its spec plus the code it runs. Redeploying a name makes a
 * new deployment with a higher revision; instances started afterwards run the new code.
 *
 * @param spec the validated settings
 * @param revision 1 for the first deploy, +1 for every redeploy of the same name
 * @param codeSha256 hex SHA-256 of the uploaded package (its identity in the artifact store)
 * @param codeSize size of the uploaded package in bytes
 * @param codeDir the unpacked package, read by instances
 * @param deployedAt when this revision was stored
 */
public record Deployment(FunctionSpec spec, long revision, String codeSha256, long codeSize, Path codeDir, Instant deployedAt) {
  public Deployment {
    if (spec == null || codeSha256 == null || codeDir == null || deployedAt == null) {
      throw new IllegalArgumentException("deployment: spec, codeSha256, codeDir and deployedAt are required");
    }
    if (revision < 1) {
      throw new IllegalArgumentException("revision: " + revision + " (expected: >= 1)");
    }
  }

  public String name() {
    return spec.name();
  }
}
