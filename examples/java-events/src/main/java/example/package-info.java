/** Lambda handlers of AWS's event classes, each as a function written for AWS Lambda would be. */
package example;
