"""The hardware side: AT channel, drivers, the daemon and the simulated modem."""
