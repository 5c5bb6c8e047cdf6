/** Event source mappings: a broker's queue mapped to a function, as the store keeps them. */
package dev.pilotlight.model.source;
