"""Running nexusgw under a process manager: supervisord configs and systemd's readiness and watchdog protocol."""
