/**
 * How a data server keeps itself registered with every coordinator: {@link
 * dev.flightcluster.server.registration.Registrar} resolves the coordinator names ({@code
 * CoordinatorAddresses}, {@link dev.flightcluster.server.registration.HostResolver}) and runs one
 * {@code Registration} (hello, heartbeats, goodbye) per address, with the timings of {@link
 * dev.flightcluster.server.registration.RegistrationTimes}.
 */
package dev.flightcluster.server.registration;
