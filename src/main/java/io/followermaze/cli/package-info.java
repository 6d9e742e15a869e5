/**
 * The command line ({@code followermaze}): {@code serve} runs the server, {@code bench} runs the
 * load generator and verifier against a running server. Every option also reads an environment
 * variable ({@code FM_...}), shown in {@code --help}.
 */
package io.followermaze.cli;
