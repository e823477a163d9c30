/**
 * The wire contract of arrow-flight-cluster: the names and JSON bodies of the cluster's Flight
 * actions, the ticket format, dataset names and content fingerprints.
 *
 * <p>Everything here is plain data with validation. Both the coordinator and the data server depend
 * on this package and on nothing of each other, so the contract lives in exactly one place.
 */
package dev.flightcluster.protocol;
