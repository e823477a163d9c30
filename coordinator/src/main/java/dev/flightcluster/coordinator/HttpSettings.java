package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.coordinator.http.HttpAuth;
import java.net.URI;

/**
 * How the coordinator serves its status page, as validated by {@link CoordinatorBuilder}.
 *
 * @param port the HTTP port; 0 picks a free one
 * @param jaegerUrl the Jaeger UI that slow requests link to, or null for no links
 * @param auth decides who may look
 */
record HttpSettings(int port, URI jaegerUrl, HttpAuth auth) {
  HttpSettings {
    requireNonNull(auth, "auth is null");
  }
}
