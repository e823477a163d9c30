/**
 * The coordinator of arrow-flight-cluster: it knows which data servers are alive and which datasets
 * each holds, and answers clients with one FlightInfo per dataset whose endpoint lists every live
 * replica.
 *
 * <p>Only {@link dev.flightcluster.coordinator.Coordinator}, its builder and the {@link
 * dev.flightcluster.coordinator.QueryPlanner} its faces share are public. Data servers join with
 * {@code say_hello}; the coordinator then calls their ListFlights back, in the same trace, to learn
 * their datasets. Leases, renewed by heartbeats, decide who is alive: reads ignore a server whose
 * lease has run out at once, and a sweeper forgets it soon after.
 */
package dev.flightcluster.coordinator;
