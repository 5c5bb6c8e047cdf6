/**
 * The history behind the console's charts: per function and minute, what it served (invocations, errors, throttles, a
 * duration histogram), how it scaled (concurrency, instances, scale-ups and -downs, cold starts by launch strategy) and
 * what it cost (GB-seconds used and held idle); kept in memory for the minute under way and durably per minute after.
 */
package dev.pilotlight.activation.history;
