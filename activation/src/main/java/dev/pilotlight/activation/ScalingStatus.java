package dev.pilotlight.activation;

/**
 * The autoscaler's last word on a function, for status and metrics.
 *
 * @param desired instances it wants (-1 before its first decision)
 * @param panicking whether it is in panic mode (scaling on the short window, never down)
 */
public record ScalingStatus(int desired, boolean panicking) {}
