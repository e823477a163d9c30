/**
 * How a data server with authentication on answers a basic login it cannot check itself: {@link
 * dev.flightcluster.server.login.CoordinatorLogins} passes it on to one of its coordinators
 * (decisions D92).
 */
package dev.flightcluster.server.login;
