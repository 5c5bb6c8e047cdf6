/** Fakes and fixtures shared by the tests of every module: a manual clock, zip builders. */
package dev.pilotlight.testing;
