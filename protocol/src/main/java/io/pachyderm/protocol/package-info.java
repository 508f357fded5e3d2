/**
 * Generated Protocol Buffers messages (see {@code pachyderm.proto}): the wire and storage
 * formats Pachyderm defines. Field numbers are permanent.
 */
package io.pachyderm.protocol;
