package dev.pilotlight.runner;

/**
 * One event from {@code /runtime/invocation/next}: the {@code Lambda-Runtime-*} headers and the raw
 * payload. Optional headers are null when absent; {@code deadlineMs} is epoch milliseconds.
 */
record Invocation(
    String requestId,
    long deadlineMs,
    String invokedFunctionArn,
    String traceId,
    String clientContext,
    String cognitoIdentity,
    byte[] payload) {}
