"""Several smsbox daemons, each a "host" of its own, on one PostgreSQL database."""
