// One request's orchestration pieces: the messages sent, the after-the-fact truncation check, the usage line.
export * from './promptMessages';
export * from './truncationCheck';
export * from './usageLine';
export * from './notices';
