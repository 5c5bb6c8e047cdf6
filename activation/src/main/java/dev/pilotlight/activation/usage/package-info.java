/** Cost accounting: every invocation's billed duration and memory, and the memory held idle, summed per function and hour. */
package dev.pilotlight.activation.usage;
