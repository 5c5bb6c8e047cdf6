/**
 * Records, contracts and named failures shared by every Pilotlight module, and the one declaration of each
 * function setting ({@link dev.pilotlight.model.FunctionSettings}); no dependencies beyond the JDK.
 */
package dev.pilotlight.model;
