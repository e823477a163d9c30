/** What every Flight service of the cluster shares around its producer: the one error policy. */
package dev.flightcluster.otel.producer;
