/** Credentials: the roles tokens and access keys carry, and the access key record. */
package dev.pilotlight.model.auth;
