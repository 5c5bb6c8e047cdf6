package dev.pilotlight.model;

import java.time.Instant;

/**
 * How busy one ready instance is, as the scaling decisions see it.
 *
 * @param inFlight requests it is serving now
 * @param lastUsed when it last finished (or started, if never finished) a request; its launch time if it never served
 * @param draining true while it finishes its work before being stopped (a redeploy or scale-down)
 */
public record InstanceLoad(String id, int inFlight, Instant lastUsed, boolean draining) {}
