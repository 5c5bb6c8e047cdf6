package dev.pilotlight.model;

import java.time.Instant;

/**
 * One invocation handed to a Lambda-style instance through the Runtime API.
 *
 * @param requestId the {@code Lambda-Runtime-Aws-Request-Id}
 * @param payload the event JSON
 * @param deadline the {@code Lambda-Runtime-Deadline-Ms}
 * @param invokedFunctionArn the {@code Lambda-Runtime-Invoked-Function-Arn}
 */
public record LambdaRequest(String requestId, byte[] payload, Instant deadline, String invokedFunctionArn) {}
