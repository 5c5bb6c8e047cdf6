/**
 * Several daemons serving as one (issue 19): who is in the cluster ({@link dev.pilotlight.cluster.Membership}, from heartbeats
 * in the shared database), where each function's calls go ({@link dev.pilotlight.cluster.Placement}: rendezvous hashing with
 * bounded load), and the loop that keeps a daemon in step with the others ({@link dev.pilotlight.cluster.ClusterLoop}). The
 * decisions are pure and tested on a manual clock; what they read and write is declared here ({@link dev.pilotlight.cluster.NodeTable})
 * and provided by the server's wiring.
 */
package dev.pilotlight.cluster;
