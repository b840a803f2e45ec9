"""xAPI statements to a learning record store, through an outbox (``champion xapi deliver``)."""
