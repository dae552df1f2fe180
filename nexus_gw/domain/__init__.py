"""Pure domain logic: no sockets, no files, no clock of its own."""
