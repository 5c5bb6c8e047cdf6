/** Scaling decisions (pure functions of a pool snapshot and the time) and the loop that applies them. */
package dev.pilotlight.autoscaler;
