/** Records, contracts and named failures shared by every Pilotlight module; no dependencies beyond the JDK. */
package dev.pilotlight.model;
