/** The HTTP front door: routing, function URLs, the native control API, health and metrics. */
package dev.pilotlight.gateway;
