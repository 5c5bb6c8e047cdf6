/** Translation between HTTP requests/responses and Lambda's API Gateway HTTP API v2 (payload 2.0) events. */
package dev.pilotlight.gateway.lambda;
