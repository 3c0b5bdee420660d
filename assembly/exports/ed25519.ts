// Ed25519 entry points (filled in with the Edwards core).
