/**
 * Handlers the runner's tests load through a fresh class loader, as a function's classes would be.
 */
package testfixtures;
