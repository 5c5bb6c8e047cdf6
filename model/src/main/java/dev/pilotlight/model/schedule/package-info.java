/** Schedule expressions ({@code rate(5 minutes)}, AWS's {@code cron(…)} and plain 5-field cron) and the times they fall due. */
package dev.pilotlight.model.schedule;
