/**
 * psrpc's node and request ids (`psrpc@v0.7.2: pkg/rand/id.go`): a prefix and 12 characters of
 * `[a-zA-Z0-9]`, 6-bit values ≥ 62 rejected. Drawn here from a CSPRNG (psrpc uses math/rand; the
 * ids only need to be unique).
 */
import { randomId } from '../egress/egress-id.js';

/** `id.go:9` (the `alphabet` constant). */
export const PSRPC_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Random characters after the prefix (`formatID`, `id.go`). */
export const PSRPC_ID_LENGTH = 12;

/** `prefix` + 12 random characters of {@link PSRPC_ID_ALPHABET}. */
export function newPsrpcId(prefix: string): string {
  return randomId(prefix, PSRPC_ID_ALPHABET, PSRPC_ID_LENGTH);
}

/** A client id, `CLI_` + 12 (`id.go`, `NewClientID`). */
export const newClientId = (): string => newPsrpcId('CLI_');
/** A server id, `SRV_` + 12 (`NewServerID`). */
export const newServerId = (): string => newPsrpcId('SRV_');
/** A request id, `REQ_` + 12 (`NewRequestID`). */
export const newRequestId = (): string => newPsrpcId('REQ_');
