package dev.pilotlight.executor;

/**
 * A deploy-time preparation (an AOT cache training, a snapshot) that made nothing; the message says
 * why, for the function's log. Launches go on without what it would have made.
 */
final class PreparationFailed extends Exception {
  PreparationFailed(String reason) {
    super(reason, null, false, false);
  }
}
