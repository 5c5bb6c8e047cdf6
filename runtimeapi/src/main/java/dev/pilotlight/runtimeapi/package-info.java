/** The server side of the AWS Lambda Runtime API: one endpoint per instance, driven by the executor. */
package dev.pilotlight.runtimeapi;
