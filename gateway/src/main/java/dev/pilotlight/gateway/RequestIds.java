package dev.pilotlight.gateway;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids in Lambda's form (a random, version 4 UUID). Drawn from {@link ThreadLocalRandom},
 * not {@link UUID#randomUUID()}'s SecureRandom, which takes a lock shared by every event loop on
 * each call: an id names a request in logs and to its own instance, it is no secret (the Runtime
 * API only answers the instance's own uid, see RuntimeApiEndpoint#ownedBy).
 */
final class RequestIds {
  private RequestIds() {}

  static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lsb = (r.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
    return new UUID(msb, lsb).toString();
  }
}
