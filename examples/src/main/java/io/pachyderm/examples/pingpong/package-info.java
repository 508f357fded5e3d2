/** The seed's ping-pong: two players rallying pings and pongs by entity-to-entity messages. */
package io.pachyderm.examples.pingpong;
