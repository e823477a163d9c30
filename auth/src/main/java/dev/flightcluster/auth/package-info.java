/**
 * Authentication and authorization of a cluster: the users file ({@link
 * dev.flightcluster.auth.UsersFile}, {@link dev.flightcluster.auth.Users}), ES256 tokens signed by
 * coordinators and verified offline by every node ({@link dev.flightcluster.auth.TokenIssuer},
 * {@link dev.flightcluster.auth.TokenVerifier}), the Flight server middleware that authenticates
 * every call ({@link dev.flightcluster.auth.AuthMiddleware}), a data server's basic logins passed
 * on to a coordinator ({@link dev.flightcluster.auth.DelegatedLogin}), which call needs which role
 * ({@link dev.flightcluster.auth.AccessPolicy}), protected mode for unauthenticated processes
 * ({@link dev.flightcluster.auth.ProtectedMode}) and the client side ({@link
 * dev.flightcluster.auth.ClientCredentials}).
 */
package dev.flightcluster.auth;
