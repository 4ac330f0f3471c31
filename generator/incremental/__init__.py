"""What one build leaves for the next, all under `.portfolio/` (`store` names every path and
writes atomically): the per-build keys (`keys`), the reader cache (`cache`), the no-op
fingerprint (`manifest`), the pages that can be kept (`reuse`) and the lock. Nothing here is
trusted: a missing or damaged store only makes a build slower, never wrong."""
