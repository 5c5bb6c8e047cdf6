/** Handlers whose input or output types are AWS's event classes (aws-lambda-java-events). */
package testfixtures.events;
